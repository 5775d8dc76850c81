/* report_html.c - the report as one self-contained HTML page with SVG charts. */
#include "output/report_html.h"

/*
 * The page is written top to bottom into one buffer through a small writer
 * (struct page) whose first failure sticks, so the renderers below append
 * freely and the caller learns of a ceiling once. Tenant and audit strings
 * only ever reach the page through text(), which removes terminal escapes
 * and HTML-escapes; everything else written is our own markup and numbers.
 * Charts are SVG drawn from numbers in a fixed coordinate system (viewBox),
 * so they scale with the page and print sharply. The one script sorts the
 * tables; the Content-Security-Policy names it by its SHA-256 so nothing
 * else (an injected handler or script) could ever run, and no fetch of any
 * kind is allowed.
 */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/text.h"
#include "base/time.h"
#include "output/report.h"
#include "store/finding_store.h"
#include "store/run_store.h"

#define OFFENDERS_SHOWN 3    /* offenders per control in the table */
#define EVIDENCE_SHOWN	3    /* evidence ids per finding */
#define FINDINGS_SHOWN	300  /* findings rows */
#define ACTIONS_SHOWN	8    /* next actions */
#define TREND_POINTS	180  /* newest scores in the trend */
#define COVERAGE_DAYS	400  /* days in the coverage chart */
#define INPUTS_SHOWN	40   /* audit inputs listed */
#define REJECTS_SHOWN	20   /* recent rejects listed */
#define DONUT_R		80.0 /* donut radius in its 200x200 box */
#define PI		3.14159265358979323846

struct page {
	struct ss_buf *out;		 /* the page, borrowed */
	struct ss_buf tmp;		 /* scratch for cleaning strings */
	int rc;				 /* first error (SS_ETOOBIG), sticky */
	const struct ss_html_live *live; /* the dashboard's additions, NULL for the report file */
};

static void put(struct page *p, const char *s)
{
	if (!p->rc)
		p->rc = ss_buf_adds(p->out, s);
}

static void putf(struct page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct page *p, const char *fmt, ...)
{
	va_list ap;

	if (p->rc)
		return;
	va_start(ap, fmt);
	p->rc = ss_buf_vprintf(p->out, fmt, ap);
	va_end(ap);
}

/* A string from the document: terminal escapes neutralised, then HTML-escaped. */
static void text(struct page *p, const char *s)
{
	if (p->rc || !s)
		return;
	ss_buf_clear(&p->tmp);
	p->rc = ss_report_clean(&p->tmp, s);
	if (!p->rc)
		p->rc = ss_text_html(p->out, p->tmp.ptr ? p->tmp.ptr : "", p->tmp.len);
}

/* Points as people write them: 40, 12.5. */
static void pts(struct page *p, double v)
{
	if (fabs(v - round(v)) < 0.005)
		putf(p, "%.0f", v);
	else
		putf(p, "%.1f", v);
}

static const char *zone_color(double pct)
{
	if (pct >= 80)
		return "#15803d";
	if (pct >= 60)
		return "#4d7c0f";
	if (pct >= 40)
		return "#b45309";
	return "#b91c1c";
}

static const char *sev_class(const char *sev)
{
	static const char *const known[] = {"critical", "high", "medium", "low", "informational"};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(sev, known[i]) == 0)
			return known[i];
	return "informational";
}

static const char *status_class(const char *st)
{
	static const char *const known[] = {"passed", "partial", "failed", "notScored", "notApplicable"};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(st, known[i]) == 0)
			return known[i];
	return "notScored";
}

static const char css[] =
	":root{--ink:#111827;--ink2:#374151;--muted:#6b7280;--line:#e5e7eb;--bg:#f4f6f8;--card:#fff;"
	"--accent:#2563eb;--ok:#15803d;--warn:#b45309;--bad:#b91c1c}\n"
	"*{box-sizing:border-box}\n"
	"html{-webkit-text-size-adjust:100%}\n"
	"body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"
	"\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,\"Noto Sans\",sans-serif;"
	"font-variant-numeric:tabular-nums}\n"
	".wrap{max-width:1180px;margin:0 auto;padding:0 28px}\n"
	"header.top{background:#0f172a;color:#f8fafc;padding:28px 0 26px;margin-bottom:24px}\n"
	".eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:#93c5fd;"
	"font-weight:600}\n"
	"h1{font-size:28px;line-height:1.2;margin:4px 0 8px;font-weight:650;overflow-wrap:anywhere}\n"
	".meta{color:#cbd5e1;font-size:13px}.meta span{white-space:nowrap;margin-right:18px}\n"
	"h2{font-size:16px;margin:0 0 12px;font-weight:650}\n"
	"h2 .count{color:var(--muted);font-weight:500}\n"
	"h3{font-size:14px;margin:18px 0 8px;font-weight:650}\n"
	"section{margin-bottom:20px}\n"
	".grid{display:grid;gap:20px;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));"
	"margin-bottom:20px}\n"
	".grid.top3{grid-template-columns:minmax(260px,.8fr) minmax(260px,.9fr) minmax(360px,1.5fr)}\n"
	"@media (max-width:1000px){.grid.top3{grid-template-columns:1fr 1fr}.grid.top3>.trend{"
	"grid-column:1/-1}}\n"
	"@media (max-width:680px){.grid.top3{grid-template-columns:1fr}}\n"
	".card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px 22px;"
	"box-shadow:0 1px 2px rgba(16,24,40,.04);min-width:0}\n"
	".muted{color:var(--muted)}.small{font-size:12px}\n"
	".donut{display:flex;flex-direction:column;align-items:center}.donut h2{align-self:stretch}\n"
	".donut svg{width:200px;height:200px}\n"
	".legend{display:flex;flex-wrap:wrap;gap:6px 16px;justify-content:center;font-size:12px;"
	"color:var(--ink2);margin-top:10px}\n"
	".legend i{display:inline-block;width:10px;height:10px;border-radius:3px;margin-right:6px;"
	"vertical-align:-1px}\n"
	"dl.facts{margin:0}dl.facts div{display:flex;justify-content:space-between;align-items:baseline;"
	"gap:12px;padding:6px 0;border-bottom:1px solid var(--line)}dl.facts div:last-child{border:0}\n"
	"dl.facts dt{color:var(--ink2)}dl.facts dd{margin:0;font-weight:650;text-align:right;"
	"white-space:nowrap}dl.facts dd small{display:block;font-weight:500;font-size:11.5px}\n"
	"svg text{font-family:inherit}\n"
	".chart{width:100%;height:auto;display:block}\n"
	"table{width:100%;border-collapse:collapse;font-size:13px}table.fixed{table-layout:fixed}table.fixed "
	"td{overflow-wrap:anywhere}\n"
	"th,td{text-align:left;vertical-align:top;padding:8px 10px;border-bottom:1px solid var(--line)}\n"
	"th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);"
	"font-weight:600;background:#f9fafb;white-space:nowrap}\n"
	"td.num,th.num{text-align:right;white-space:nowrap}\n"
	"tbody tr:hover{background:#f9fafb}\n"
	".tablewrap{overflow-x:auto}\n"
	".sub{color:var(--muted);font-size:12px}\n"
	".rem{color:var(--ink2);font-size:12.5px}\n"
	".off{font-size:12px;color:var(--ink2);overflow-wrap:anywhere}.off span{display:block;"
	"margin-bottom:3px}\n"
	".when{font-size:12px;white-space:nowrap}\n"
	"code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"Liberation Mono\",monospace;"
	"font-size:11.5px}\n"
	".ev{font-size:11.5px;color:var(--muted);margin-top:3px}.ev code{color:var(--ink2)}\n"
	".badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:11.5px;"
	"font-weight:600;white-space:nowrap;border:1px solid transparent}\n"
	".b-passed{background:#dcfce7;color:#166534}.b-partial{background:#fef3c7;color:#92400e}"
	".b-failed{background:#fee2e2;color:#991b1b}.b-notScored{background:#f3f4f6;color:#4b5563}"
	".b-notApplicable{background:#fff;color:#6b7280;border-color:#e5e7eb}"
	".b-state{background:#e0e7ff;color:#3730a3}\n"
	".b-critical{background:#7f1d1d;color:#fff}.b-high{background:#fee2e2;color:#991b1b}"
	".b-medium{background:#fef3c7;color:#92400e}.b-low{background:#dbeafe;color:#1e40af}"
	".b-informational{background:#f3f4f6;color:#4b5563}\n"
	".meter{height:6px;background:#e5e7eb;border-radius:3px;margin-top:5px;min-width:70px;"
	"overflow:hidden}.meter b{display:block;height:100%;border-radius:3px}\n"
	"ol.actions{margin:0;padding:0;list-style:none;counter-reset:a}\n"
	"ol.actions li{display:grid;grid-template-columns:28px 1fr auto;gap:4px 10px;padding:9px 0;"
	"border-bottom:1px solid var(--line);counter-increment:a}\n"
	"ol.actions li:last-child{border-bottom:0}\n"
	"ol.actions li::before{content:counter(a);width:22px;height:22px;border-radius:50%;"
	"background:#eff6ff;color:var(--accent);font-size:12px;font-weight:700;display:flex;"
	"align-items:center;justify-content:center}\n"
	".gain{font-weight:700;color:var(--ok);white-space:nowrap}\n"
	".stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:12px;"
	"margin-bottom:16px}\n"
	".stat{border:1px solid var(--line);border-radius:10px;padding:10px 12px}\n"
	".stat b{display:block;font-size:20px;font-weight:650}.stat span{color:var(--muted);"
	"font-size:12px}\n"
	".note{background:#fffbeb;border:1px solid #fde68a;border-radius:8px;padding:8px 12px;"
	"margin:8px 0;font-size:13px}\n"
	".good{color:var(--ok)}.bad{color:var(--bad)}\n"
	"footer{color:var(--muted);font-size:12px;text-align:center;padding:10px 0 34px}\n"
	"a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}\n"
	"a.control-link{color:inherit}a.control-link:hover{color:var(--accent)}\n"
	"header.top a.home{color:#93c5fd;font-weight:700;float:right}\n"
	"nav.tenants{display:flex;flex-wrap:wrap;gap:8px;margin-top:14px}nav.tenants a{color:#e2e8f0;"
	"border:1px solid #334155;border-radius:999px;padding:2px 12px;font-size:12.5px;max-width:340px;"
	"overflow:hidden;text-overflow:ellipsis;white-space:nowrap}"
	"nav.tenants a.current{background:#1e3a8a;border-color:#1e3a8a;color:#fff}\n"
	".who{color:#cbd5e1;font-size:12.5px;margin-top:10px}.who form{display:inline}\n"
	"button{font:inherit;font-size:12.5px;border:1px solid #cbd5e1;background:#fff;color:var(--ink);"
	"border-radius:6px;padding:3px 10px;cursor:pointer}button:disabled{cursor:not-allowed;opacity:.5}\n"
	"button.primary{background:var(--accent);border-color:var(--accent);color:#fff;padding:6px 16px}\n"
	".who button{background:transparent;color:#cbd5e1;border-color:#475569;padding:0 8px}\n"
	"form.ack-form{margin-top:6px}\n"
	".filter input{width:min(420px,100%);font:inherit;padding:6px 10px;border:1px solid #cbd5e1;"
	"border-radius:8px}\n"
	".run-failed{background:#fef2f2;border-color:#fecaca;color:#7f1d1d}\n"
	"form.state label{display:block;font-weight:600;margin:10px 0 4px}form.state select,"
	"form.state input,form.state textarea{font:inherit;width:min(520px,100%);padding:6px 8px;"
	"border:1px solid #cbd5e1;border-radius:6px}form.state fieldset{border:0;padding:0;margin:0}\n"
	".error{color:var(--bad);font-weight:600}\n"
	"th[aria-sort=ascending]::after{content:\" \\25B2\"}th[aria-sort=descending]::after{"
	"content:\" \\25BC\"}\n"
	".js table.sortable th{cursor:pointer}\n"
	"@media print{@page{margin:12mm}body{background:#fff;font-size:11px}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	"header.top{background:#fff;color:var(--ink);border-bottom:2px solid var(--ink);padding:0 0 10px;"
	"margin-bottom:14px}.eyebrow{color:var(--accent)}.meta{color:var(--ink2)}"
	".wrap{max-width:none;padding:0}.card{box-shadow:none;break-inside:avoid;padding:12px 14px}"
	".card.long{break-inside:auto}.grid.top3{grid-template-columns:1fr 1fr 1.4fr}"
	".grid{gap:12px}tr{break-inside:avoid}thead{display:table-header-group}"
	".tablewrap{overflow:visible}tbody tr:hover{background:none}footer{padding:8px 0}}\n";

/* Sorts a table by the clicked header; cells may carry data-sort. Hashed into the CSP. */
static const char script[] =
	"document.documentElement.className='js';"
	"document.querySelectorAll('table.sortable th').forEach(function(th,i){th.tabIndex=0;"
	"function go(){var t=th.closest('table'),b=t.tBodies[0],r=[].slice.call(b.rows),"
	"num=th.getAttribute('data-type')==='num',d=th.getAttribute('aria-sort')==='ascending'?-1:1;"
	"t.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort')});"
	"th.setAttribute('aria-sort',d>0?'ascending':'descending');"
	"function k(row){var c=row.cells[i],v=c.getAttribute('data-sort');return v===null?c.textContent:v}"
	"r.sort(function(x,y){var a=k(x),c=k(y);return d*(num?parseFloat(a)-parseFloat(c):"
	"a.localeCompare(c))});r.forEach(function(x){b.appendChild(x)})}"
	"th.addEventListener('click',go);th.addEventListener('keydown',function(e){"
	"if(e.key==='Enter'||e.key===' '){e.preventDefault();go()}})});"
	"var f=document.getElementById('controls-filter');if(f){f.hidden=false;"
	"f.addEventListener('input',function(){var q=f.value.toLowerCase(),n=0,"
	"rows=document.querySelectorAll('#controls-table tbody tr');rows.forEach(function(r){"
	"var h=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;r.hidden=h;if(!h)n++});"
	"var c=document.getElementById('controls-shown');if(c)c.textContent=q?n+' of '+rows.length:''})}";

/* The CSP source of the script: 'sha256-BASE64'. */
static void script_hash(char out[static 64])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct ss_sha256 *h = ss_sha256_new();
	unsigned char raw[33] = {0};
	char hex[65];
	size_t i, o = 0;

	ss_sha256_update(h, script, sizeof(script) - 1);
	ss_sha256_final(h, hex);
	for (i = 0; i < 32; i++) {
		char pair[3] = {hex[2 * i], hex[2 * i + 1], 0};
		raw[i] = (unsigned char)strtoul(pair, NULL, 16);
	}
	for (i = 0; i < 33; i += 3) { /* 32 bytes: ten full groups and one of two bytes */
		unsigned v =
			(unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | (i + 2 < 33 ? raw[i + 2] : 0);
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < 32 ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < 32 ? b64[v & 63] : '=';
	}
	out[o] = '\0';
}

/* s percent-encoded as a query value: only unreserved characters stay, so it is safe in an attribute. */
static void url_arg(struct page *p, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)(s ? s : "");

	for (; *u && !p->rc; u++) {
		if ((*u >= 'A' && *u <= 'Z') || (*u >= 'a' && *u <= 'z') || (*u >= '0' && *u <= '9') ||
		    *u == '-' || *u == '.' || *u == '_' || *u == '~')
			p->rc = ss_buf_add(p->out, u, 1);
		else
			putf(p, "%%%c%c", hex[*u >> 4], hex[*u & 15]);
	}
}

/* The hidden form field that proves a form came from our page. */
static void csrf_field(struct page *p)
{
	put(p, "<input type=\"hidden\" name=\"csrf\" value=\"");
	text(p, p->live->csrf);
	put(p, "\">");
}

int ss_report_html_csp(char *out, size_t n, bool live)
{
	char hash[64];
	int w;

	script_hash(hash);
	w = snprintf(out, n,
		     "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src "
		     "'sha256-%s'; base-uri 'none'; form-action %s",
		     hash, live ? "'self'" : "'none'");
	return w > 0 && (size_t)w < n ? 0 : SS_ETOOBIG;
}

/* From the doctype to the open header: the policy, the title, the styles, the eyebrow and h1. */
static void open_page(struct page *p, const char *title_prefix, const char *title, const char *eyebrow)
{
	char csp[256];

	ss_report_html_csp(csp, sizeof(csp), p->live != NULL);
	put(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
	putf(p, "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n", csp);
	/* no-referrer would make a browser post our own forms with "Origin: null" */
	putf(p, "<meta name=\"referrer\" content=\"%s\">\n", p->live ? "same-origin" : "no-referrer");
	put(p, "<meta name=\"generator\" "
	       "content=\"secscore " SS_VERSION "\">\n<title>");
	put(p, title_prefix);
	text(p, title);
	putf(p, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
	put(p, "<header class=\"top\"><div class=\"wrap\">\n");
	if (p->live)
		put(p, "<a class=\"home\" href=\"/\">secscore</a> ");
	put(p, "<div class=\"eyebrow\">");
	put(p, eyebrow);
	put(p, "</div>\n<h1>");
	text(p, title);
	put(p, "</h1>\n");
}

/* The dashboard's tenant list, who is signed in, and sign-out. */
static void nav(struct page *p)
{
	const struct ss_html_live *l = p->live;
	json_t *t;
	size_t i;

	if (!l)
		return;
	if (json_array_size(l->tenants) > 0) {
		put(p, "<nav class=\"tenants\" aria-label=\"Tenants\">");
		json_array_foreach (l->tenants, i, t) {
			const char *id = ss_report_str(t, "azureTenantId");
			bool cur = l->tenant && strcmp(id, l->tenant) == 0;
			putf(p, "<a class=\"tenant%s\" href=\"/?tenant=", cur ? " current" : "");
			url_arg(p, id);
			put(p, "\">");
			text(p, ss_report_str(t, "displayName")[0] ? ss_report_str(t, "displayName")
								   : ss_report_str(t, "name"));
			putf(p, " <b>%.0f%%</b></a>", ss_report_num(t, "percentage"));
		}
		put(p, "<a class=\"all\" href=\"/tenants\">All tenants</a></nav>\n");
	}
	if (l->user) {
		put(p, "<div class=\"who\">Signed in as <b>");
		text(p, l->user);
		putf(p, "</b> (%s) <form method=\"post\" action=\"/logout\">", l->admin ? "admin" : "read");
		csrf_field(p);
		put(p, "<button type=\"submit\">Sign out</button></form></div>\n");
	}
}

/*
 * After the header: the notice, and the failed scheduled runs of the tenant
 * shown and of tenants the store does not hold yet (a first collection that
 * failed has nowhere else to be seen).
 */
static void banners(struct page *p)
{
	const struct ss_html_live *l = p->live;
	json_t *r;
	size_t i;

	if (!l)
		return;
	if (l->notice) {
		put(p, "<p class=\"note notice\" role=\"status\">");
		text(p, l->notice);
		put(p, "</p>\n");
	}
	json_array_foreach (l->runs, i, r) {
		const char *who = ss_report_str(r, "tenant");
		json_t *t, *mine = NULL;
		size_t k;
		if (strcmp(ss_report_str(r, "status"), "failed") != 0)
			continue;
		json_array_foreach (l->tenants, k, t)
			if (ss_run_is_of(who, t))
				mine = t;
		/* a run of another tenant of the store is shown on that tenant's pages */
		if (mine && l->tenant && strcmp(ss_report_str(mine, "azureTenantId"), l->tenant) != 0)
			continue;
		put(p, "<div class=\"note run-failed\" role=\"alert\"><b>The scheduled run of ");
		text(p, who);
		put(p, " failed</b> at ");
		text(p, ss_report_str(r, "step"));
		put(p, " (started ");
		text(p, ss_report_str(r, "startedDateTime"));
		put(p, "): ");
		text(p, ss_report_str(r, "message"));
		put(p, " Nothing of it was applied; it runs again at the next scheduled time.</div>\n");
	}
}

static void head(struct page *p, json_t *doc)
{
	json_t *score = json_object_get(doc, "secureScore");
	char when[32], gen[32];

	ss_report_when(ss_report_str(score, "createdDateTime"), when);
	ss_report_when(ss_report_str(doc, "generatedDateTime"), gen);
	open_page(p, p->live ? "Security dashboard: " : "Security report: ",
		  ss_report_str(score, "tenantDisplayName"),
		  p->live ? "Microsoft 365 security dashboard" : "Microsoft 365 security report");
	put(p, "<div class=\"meta\"><span>Tenant <span class=\"mono\">");
	text(p, ss_report_str(score, "azureTenantId"));
	putf(p, "</span></span><span>Measured <b>%s</b></span><span>%s %s</span><span>Catalog ", when,
	     p->live ? "Read" : "Generated", gen);
	text(p, ss_report_str(score, "catalogVersion"));
	put(p, "</span></div>\n");
	nav(p);
	put(p, "</div></header>\n<main class=\"wrap\">\n");
	banners(p);
}

/* An SVG arc of the donut: length len of the circumference, starting at start (both in units of it). */
static void arc(struct page *p, double start, double len, const char *color)
{
	double c = 2 * PI * DONUT_R;

	if (len <= 0)
		return;
	putf(p,
	     "<circle cx=\"100\" cy=\"100\" r=\"%.0f\" fill=\"none\" stroke=\"%s\" stroke-width=\"22\" "
	     "stroke-dasharray=\"%.2f %.2f\" stroke-dashoffset=\"%.2f\" transform=\"rotate(-90 100 "
	     "100)\"/>\n",
	     DONUT_R, color, len * c, c, -start * c);
}

static void donut(struct page *p, json_t *score)
{
	double cur = ss_report_num(score, "currentScore"), max = ss_report_num(score, "maxScore");
	double planned = ss_report_num(score, "plannedScore"), pct = ss_report_pct(cur, max);
	double fc = max > 0 ? cur / max : 0, fp = max > 0 && planned > cur ? (planned - cur) / max : 0;

	put(p, "<div class=\"card donut\" id=\"score\">\n<h2>Secure score</h2>\n");
	putf(p,
	     "<svg viewBox=\"0 0 200 200\" role=\"img\" aria-label=\"Secure score %.0f of %.0f points, "
	     "%.1f percent\">\n<title>%.0f of %.0f points achieved (%.1f%%)</title>\n",
	     cur, max, pct, cur, max, pct);
	putf(p,
	     "<circle cx=\"100\" cy=\"100\" r=\"%.0f\" fill=\"none\" stroke=\"#e5e7eb\" "
	     "stroke-width=\"22\"/>\n",
	     DONUT_R);
	arc(p, 0, fc > 1 ? 1 : fc, zone_color(pct));
	arc(p, fc, fc + fp > 1 ? 1 - fc : fp, "#93c5fd");
	putf(p,
	     "<text x=\"100\" y=\"100\" text-anchor=\"middle\" font-size=\"38\" font-weight=\"700\" "
	     "fill=\"#111827\">%.0f%%</text>\n"
	     "<text x=\"100\" y=\"126\" text-anchor=\"middle\" font-size=\"13\" fill=\"#6b7280\">",
	     pct);
	pts(p, cur);
	put(p, " of ");
	pts(p, max);
	put(p, " points</text>\n</svg>\n<div class=\"legend\">");
	putf(p, "<span><i style=\"background:%s\"></i>Achieved ", zone_color(pct));
	pts(p, cur);
	put(p, "</span>");
	if (fp > 0) {
		put(p, "<span><i style=\"background:#93c5fd\"></i>Planned +");
		pts(p, planned - cur);
		put(p, "</span>");
	}
	put(p, "<span><i style=\"background:#e5e7eb\"></i>Available ");
	pts(p, max - (planned > cur ? planned : cur));
	put(p, "</span></div>\n</div>\n");
}

static void facts(struct page *p, json_t *doc)
{
	json_t *score = json_object_get(doc, "secureScore"), *cs, *cov = json_object_get(doc, "coverage");
	size_t i, n_pass = 0, n_fix = 0, n_open = 0, n_crit = 0;

	json_array_foreach (json_object_get(score, "controlScores"), i, cs) {
		const char *st = ss_report_str(cs, "status");
		if (!strcmp(st, "notScored") || !strcmp(st, "notApplicable"))
			continue;
		if (ss_report_num(cs, "score") < ss_report_num(cs, "maxScore"))
			n_fix++;
		else
			n_pass++;
	}
	json_array_foreach (json_object_get(doc, "findings"), i, cs) {
		if (!strcmp(ss_report_str(cs, "status"), "open")) {
			n_open++;
			if (ss_severity_rank(ss_report_str(cs, "severity")) >= 3)
				n_crit++;
		}
	}
	put(p, "<div class=\"card\">\n<h2>At a glance</h2>\n<dl class=\"facts\">\n");
	putf(p, "<div><dt>Controls with all points</dt><dd class=\"good\">%zu</dd></div>\n", n_pass);
	putf(p, "<div><dt>Controls to improve</dt><dd>%zu</dd></div>\n", n_fix);
	putf(p, "<div><dt>Not scored</dt><dd>%lld</dd></div>\n",
	     (long long)json_integer_value(json_object_get(score, "notScoredCount")));
	putf(p, "<div><dt>Not applicable</dt><dd>%lld</dd></div>\n",
	     (long long)json_integer_value(json_object_get(score, "notApplicableCount")));
	putf(p, "<div><dt>Licensed users</dt><dd>%lld<small class=\"muted\">%lld active</small></dd></div>\n",
	     (long long)json_integer_value(json_object_get(score, "licensedUserCount")),
	     (long long)json_integer_value(json_object_get(score, "activeUserCount")));
	json_array_foreach (json_object_get(score, "averageComparativeScores"), i, cs) {
		/* the store's other tenants (store/compare.h); alone in the store there is nothing to compare */
		long long n = (long long)ss_report_num(cs, "tenantCount");
		const char *basis = ss_report_str(cs, "basis");
		if (n < 2 || (strcmp(basis, "AllTenants") != 0 && strcmp(basis, "TotalSeats") != 0))
			continue;
		if (strcmp(basis, "AllTenants") == 0) {
			put(p, "<div class=\"compare\"><dt>Average of the store's tenants</dt>");
		} else if (json_is_null(json_object_get(cs, "SeatSizeRangeUpperValue"))) {
			putf(p, "<div class=\"compare\"><dt>Average of tenants with %.0f+ seats</dt>",
			     ss_report_num(cs, "SeatSizeRangeLowerValue"));
		} else {
			putf(p, "<div class=\"compare\"><dt>Average of tenants with %.0f-%.0f seats</dt>",
			     ss_report_num(cs, "SeatSizeRangeLowerValue"),
			     ss_report_num(cs, "SeatSizeRangeUpperValue"));
		}
		putf(p, "<dd>%.1f%%<small class=\"muted\">%lld tenants</small></dd></div>\n",
		     ss_report_num(cs, "averagePercentage"), n);
	}
	putf(p, "<div><dt>Open findings</dt><dd>%zu", n_open);
	if (n_crit)
		putf(p, "<small class=\"bad\">%zu high or critical</small>", n_crit);
	put(p, "</dd></div>\n");
	if (json_integer_value(json_object_get(cov, "records")) > 0) {
		putf(p, "<div><dt>Audit log</dt><dd>%lld of %lld days",
		     (long long)json_integer_value(json_object_get(cov, "days_with_records")),
		     (long long)json_integer_value(json_object_get(cov, "days_covered")));
		if (json_array_size(json_object_get(cov, "gaps")))
			putf(p, "<small class=\"bad\">%zu without records</small>",
			     json_array_size(json_object_get(cov, "gaps")));
		put(p, "</dd></div>\n");
	} else {
		put(p, "<div><dt>Audit log</dt><dd class=\"muted\">none ingested</dd></div>\n");
	}
	put(p, "</dl>\n</div>\n");
}

/* The trend: percentage over time, oldest left; the plan's target as a dashed line. */
static void trend(struct page *p, json_t *doc)
{
	json_t *hist = json_object_get(doc, "history"), *h;
	double target = ss_report_num(json_object_get(doc, "plan"), "targetPercentage");
	const double L = 44, R = 548, T = 14, B = 186; /* plot box in the 560x220 viewBox */
	size_t n = json_array_size(hist), k;
	ss_time_ms t0 = 0, t1 = 0, t;
	double *xs, *ys;
	char d0[32], d1[32];

	if (n > TREND_POINTS)
		n = TREND_POINTS;
	put(p, "<div class=\"card trend\">\n<h2>Trend <span class=\"count\">");
	putf(p, "%zu score%s</span></h2>\n", json_array_size(hist), json_array_size(hist) == 1 ? "" : "s");
	putf(p,
	     "<svg class=\"chart\" viewBox=\"0 0 560 220\" role=\"img\" aria-label=\"Score percentage over "
	     "the last %zu recorded scores\">\n",
	     n);
	for (k = 0; k <= 4; k++) {
		double y = B - (B - T) * (double)k / 4;
		putf(p,
		     "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e7eb\"/>"
		     "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\" fill=\"#6b7280\">%zu%%"
		     "</text>\n",
		     L, R, y, y, L - 6, y + 4, k * 25);
	}
	if (target > 0) {
		double y = B - (B - T) * target / 100;
		putf(p,
		     "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#2563eb\" "
		     "stroke-dasharray=\"5 4\"/><text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" "
		     "font-size=\"11\" fill=\"#2563eb\">target %.0f%%</text>\n",
		     L, R, y, y, R, y - 5, target);
	}
	if (!n) {
		put(p, "</svg>\n</div>\n");
		return;
	}
	xs = ss_xcalloc(n, sizeof(*xs));
	ys = ss_xcalloc(n, sizeof(*ys));
	/* history is newest first: index n-1-k is the k-th oldest */
	for (k = 0; k < n; k++) {
		const char *c = ss_report_str(json_array_get(hist, n - 1 - k), "createdDateTime");
		if (ss_time_parse(c, strlen(c), &t) != 0)
			t = 0;
		if (k == 0 || t < t0)
			t0 = t;
		if (k == 0 || t > t1)
			t1 = t;
	}
	for (k = 0; k < n; k++) {
		const char *c;
		h = json_array_get(hist, n - 1 - k);
		c = ss_report_str(h, "createdDateTime");
		if (ss_time_parse(c, strlen(c), &t) != 0)
			t = t0;
		if (n == 1)
			xs[k] = (L + R) / 2;
		else if (t1 > t0)
			xs[k] = L + 12 + (R - L - 24) * (double)(t - t0) / (double)(t1 - t0);
		else
			xs[k] = L + 12 + (R - L - 24) * (double)k / (double)(n - 1);
		ys[k] = B - (B - T) * fmin(100, fmax(0, ss_report_num(h, "percentage"))) / 100;
	}
	if (n > 1) {
		put(p, "<polygon fill=\"#2563eb\" fill-opacity=\".08\" points=\"");
		putf(p, "%.1f,%.1f ", xs[0], B);
		for (k = 0; k < n; k++)
			putf(p, "%.1f,%.1f ", xs[k], ys[k]);
		putf(p,
		     "%.1f,%.1f\"/>\n<polyline fill=\"none\" stroke=\"#2563eb\" stroke-width=\"2.5\" "
		     "stroke-linejoin=\"round\" points=\"",
		     xs[n - 1], B);
		for (k = 0; k < n; k++)
			putf(p, "%.1f,%.1f ", xs[k], ys[k]);
		put(p, "\"/>\n");
	}
	for (k = 0; k < n; k++) {
		char when[32];
		h = json_array_get(hist, n - 1 - k);
		ss_report_when(ss_report_str(h, "createdDateTime"), when);
		putf(p,
		     "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"#fff\" stroke=\"#2563eb\" "
		     "stroke-width=\"2\"><title>%s: %.1f of %.1f points (%.1f%%)</title></circle>\n",
		     xs[k], ys[k], n > 60 ? "2" : "4", when, ss_report_num(h, "currentScore"),
		     ss_report_num(h, "maxScore"), ss_report_num(h, "percentage"));
	}
	h = json_array_get(hist, 0);
	putf(p,
	     "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"12\" font-weight=\"700\" "
	     "fill=\"#111827\">%.1f%%</text>\n",
	     xs[n - 1] > R - 40 ? xs[n - 1] - 8 : xs[n - 1] + 8, ys[n - 1] - 8,
	     xs[n - 1] > R - 40 ? "end" : "start", ss_report_num(h, "percentage"));
	ss_time_format_date(t0, d0);
	ss_time_format_date(t1, d1);
	putf(p, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" fill=\"#6b7280\">%s</text>\n", L, B + 20, d0);
	if (n > 1 && strcmp(d0, d1))
		putf(p,
		     "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\" font-size=\"11\" "
		     "fill=\"#6b7280\">%s</text>\n",
		     R, B + 20, d1);
	put(p, "</svg>\n");
	if (n == 1)
		put(p, "<p class=\"muted small\">One score so far: the trend grows with every score recorded "
		       "(<code>secscore score</code>, daily).</p>\n");
	else {
		json_t *old = json_array_get(hist, n - 1);
		double delta = ss_report_num(h, "currentScore") - ss_report_num(old, "currentScore");
		putf(p, "<p class=\"muted small\">%+.1f points since the first score shown (%s).</p>\n",
		     delta, d0);
	}
	free(xs);
	free(ys);
	put(p, "</div>\n");
}

/* Horizontal bars of a {name, score, maxScore} breakdown. */
static void bars(struct page *p, const char *title, json_t *rows)
{
	size_t n = json_array_size(rows), i;
	json_t *r;
	const double X = 130, W = 250;

	putf(p, "<div class=\"card\">\n<h2>%s</h2>\n", title);
	if (!n) {
		put(p, "<p class=\"muted\">Nothing scored.</p>\n</div>\n");
		return;
	}
	putf(p, "<svg class=\"chart\" viewBox=\"0 0 520 %zu\" role=\"img\" aria-label=\"%s\">\n", n * 32 + 4,
	     title);
	json_array_foreach (rows, i, r) {
		double s = ss_report_num(r, "score"), m = ss_report_num(r, "maxScore"),
		       pc = ss_report_pct(s, m);
		double y = (double)i * 32 + 4;
		put(p, "<g><title>");
		text(p, ss_report_str(r, "name"));
		putf(p, ": %.1f of %.1f points (%.0f%%)</title>\n", s, m, pc);
		putf(p, "<text x=\"0\" y=\"%.0f\" font-size=\"13\" fill=\"#374151\">", y + 17);
		text(p, ss_report_str(r, "name"));
		putf(p,
		     "</text>\n<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"14\" rx=\"4\" "
		     "fill=\"#eef0f3\"/>",
		     X, y + 6, W);
		if (pc > 0)
			putf(p,
			     "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.1f\" height=\"14\" rx=\"4\" "
			     "fill=\"%s\"/>",
			     X, y + 6, fmax(3, W * fmin(pc, 100) / 100), zone_color(pc));
		putf(p,
		     "\n<text x=\"%.0f\" y=\"%.0f\" font-size=\"12.5\" fill=\"#111827\" font-weight=\"600\">",
		     X + W + 12, y + 17);
		pts(p, s);
		put(p, " / ");
		pts(p, m);
		putf(p, "<tspan fill=\"#6b7280\" font-weight=\"400\">  %.0f%%</tspan></text></g>\n", pc);
	}
	put(p, "</svg>\n</div>\n");
}

static void next_actions(struct page *p, json_t *doc)
{
	json_t *acts = json_object_get(doc, "nextActions"), *a;
	size_t i;

	put(p, "<div class=\"card\" id=\"next\">\n<h2>Next actions <span class=\"count\">");
	putf(p, "%zu in all</span></h2>\n", json_array_size(acts));
	if (!json_array_size(acts)) {
		put(p, "<p>None: every scored control has all its points.</p>\n</div>\n");
		return;
	}
	put(p, "<p class=\"muted small\">Ranked by points gained per unit of user impact.</p>\n"
	       "<ol class=\"actions\">\n");
	json_array_foreach (acts, i, a) {
		if (i == ACTIONS_SHOWN)
			break;
		put(p, "<li><div><b>");
		text(p, ss_report_str(a, "title"));
		put(p, "</b><div class=\"sub\">");
		text(p, ss_report_str(a, "controlName"));
		put(p, " · ");
		text(p, ss_report_str(a, "service"));
		put(p, " · user impact ");
		text(p, ss_report_str(a, "userImpact"));
		if (ss_report_str(a, "implementationStatus")[0]) {
			put(p, "<br>");
			text(p, ss_report_str(a, "implementationStatus"));
		}
		put(p, "</div></div><span class=\"gain\">+");
		pts(p, ss_report_num(a, "scoreGain"));
		put(p, "</span></li>\n");
	}
	put(p, "</ol>\n");
	if (json_array_size(acts) > ACTIONS_SHOWN)
		putf(p, "<p class=\"muted small\">%zu more in the controls table below.</p>\n",
		     json_array_size(acts) - ACTIONS_SHOWN);
	put(p, "</div>\n");
}

static void plan(struct page *p, json_t *doc)
{
	json_t *pl = json_object_get(doc, "plan"), *score = json_object_get(doc, "secureScore"), *a;
	double max = ss_report_num(score, "maxScore"), cur = ss_report_num(score, "currentScore");
	double reached = ss_report_num(pl, "reachedScore");
	size_t i, n = json_array_size(json_object_get(pl, "actions"));

	put(p, "<div class=\"card\" id=\"plan\">\n<h2>Target plan: ");
	putf(p, "%.0f%%</h2>\n<p>", ss_report_num(pl, "targetPercentage"));
	putf(p, "Target <b>%.1f</b> of %.1f points; now %.1f (%.1f%%). ", ss_report_num(pl, "targetScore"),
	     max, cur, ss_report_pct(cur, max));
	if (!json_is_true(json_object_get(pl, "reachable"))) {
		putf(p,
		     "</p><p class=\"note\">Not reachable: every action together reaches %.1f points "
		     "(%.1f%%).</p>\n</div>\n",
		     reached, ss_report_pct(reached, max));
		return;
	}
	if (!n) {
		put(p, "<span class=\"good\">Already reached: nothing to do.</span></p>\n</div>\n");
		return;
	}
	putf(p,
	     "The least user impact that gets there: <b>%zu action%s</b>, total impact %.0f, reaching "
	     "<b>%.1f%%</b>.</p>\n",
	     n, n == 1 ? "" : "s", ss_report_num(pl, "totalUserImpact"), ss_report_pct(reached, max));
	put(p, "<ol class=\"actions\">\n");
	json_array_foreach (json_object_get(pl, "actions"), i, a) {
		put(p, "<li><div><b>");
		text(p, ss_report_str(a, "title"));
		put(p, "</b><div class=\"sub\">");
		text(p, ss_report_str(a, "controlName"));
		put(p, " · user impact ");
		text(p, ss_report_str(a, "userImpact"));
		put(p, "</div></div><span class=\"gain\">+");
		pts(p, ss_report_num(a, "scoreGain"));
		put(p, "</span></li>\n");
	}
	put(p, "</ol>\n</div>\n");
}

static void controls(struct page *p, json_t *doc)
{
	json_t *sorted = ss_report_controls_sorted(json_object_get(doc, "secureScore")), *c, *o;
	size_t i, k, n;

	put(p, "<section class=\"card long\" id=\"controls\">\n<h2>Controls <span class=\"count\">");
	putf(p, "%zu</span></h2>\n", json_array_size(sorted));
	put(p, "<p class=\"muted small\">Controls missing the most points first. Click a column to "
	       "sort.</p>\n<p class=\"filter\"><input id=\"controls-filter\" type=\"search\" hidden "
	       "placeholder=\"Filter controls: a name, area, status or user\" aria-label=\"Filter "
	       "controls\"> <span id=\"controls-shown\" class=\"muted small\"></span></p>\n"
	       "<div class=\"tablewrap\"><table class=\"sortable fixed\" id=\"controls-table\">\n"
	       "<colgroup><col style=\"width:23%\"><col style=\"width:10%\"><col style=\"width:19%\">"
	       "<col style=\"width:9%\"><col style=\"width:17%\"><col style=\"width:22%\"></colgroup>\n"
	       "<thead><tr><th>Control</th><th>Area</th><th>Status</th>"
	       "<th class=\"num\" data-type=\"num\">Points</th><th>Offenders</th><th>Remediation</th>"
	       "</tr></thead>\n<tbody>\n");
	json_array_foreach (sorted, i, c) {
		const char *st = ss_report_str(c, "status"), *state = ss_report_str(c, "state");
		double s = ss_report_num(c, "score"), m = ss_report_num(c, "maxScore");
		double cm = ss_report_num(c, "controlMaxScore");
		put(p, "<tr><td><b>");
		if (p->live) {
			put(p, "<a class=\"control-link\" href=\"/controls/");
			url_arg(p, ss_report_str(c, "controlName"));
			put(p, "?tenant=");
			url_arg(p, p->live->tenant);
			put(p, "\">");
		}
		text(p, ss_report_str(c, "title"));
		if (p->live)
			put(p, "</a>");
		put(p, "</b><div class=\"sub\">");
		text(p, ss_report_str(c, "controlName"));
		put(p, " · ");
		text(p, ss_report_str(c, "tier"));
		put(p, " · user impact ");
		text(p, ss_report_str(c, "userImpact"));
		put(p, "</div></td><td>");
		text(p, ss_report_str(c, "controlCategory"));
		put(p, "<div class=\"sub\">");
		text(p, ss_report_str(c, "service"));
		putf(p, "</div></td><td data-sort=\"%05zu\"><span class=\"badge b-%s\">%s</span>", i,
		     status_class(st), ss_report_status_label(st));
		if (state[0] && strcmp(state, "to_address") != 0)
			putf(p, " <span class=\"badge b-state\">%s</span>", ss_report_state_label(state));
		if (json_is_true(json_object_get(c, "stateExpired")))
			put(p, " <span class=\"badge b-failed\">state expired</span>");
		if (ss_report_str(c, "implementationStatus")[0]) {
			put(p, "<div class=\"sub\">");
			text(p, ss_report_str(c, "implementationStatus"));
			put(p, "</div>");
		}
		if (json_object_get(c, "stateDetail")) {
			json_t *sd = json_object_get(c, "stateDetail");
			put(p, "<div class=\"sub\">");
			text(p, ss_report_str(sd, "reason"));
			put(p, " (");
			text(p, ss_report_str(sd, "updatedBy"));
			if (ss_report_str(sd, "assignedTo")[0]) {
				put(p, "; assigned to ");
				text(p, ss_report_str(sd, "assignedTo"));
			}
			put(p, ")</div>");
		}
		if (m > 0) {
			putf(p, "</td><td class=\"num\" data-sort=\"%.2f\">", s);
			pts(p, s);
			put(p, " / ");
			pts(p, m);
			putf(p, "<div class=\"meter\"><b style=\"width:%.0f%%;background:%s\"></b></div>",
			     fmin(100, ss_report_pct(s, m)), zone_color(ss_report_pct(s, m)));
		} else {
			put(p, "</td><td class=\"num muted\" data-sort=\"-1\">– / ");
			pts(p, cm);
		}
		put(p, "</td><td class=\"off\">");
		n = json_array_size(json_object_get(c, "offenders"));
		json_array_foreach (json_object_get(c, "offenders"), k, o) {
			if (k == OFFENDERS_SHOWN) {
				putf(p, "<span class=\"muted\">and %zu more</span>", n - OFFENDERS_SHOWN);
				break;
			}
			put(p, "<span>");
			text(p, json_string_value(o));
			put(p, "</span>");
		}
		put(p, "</td><td class=\"rem\">");
		if (m > 0 && s >= m)
			put(p, "<span class=\"muted\">Done.</span>");
		else
			text(p, ss_report_str(c, "remediation"));
		put(p, "</td></tr>\n");
	}
	put(p, "</tbody></table></div>\n</section>\n");
	json_decref(sorted);
}

/* An ISO time as "YYYY-MM-DD HH:MM:SS" (the table says UTC). */
static void when(struct page *p, const char *iso)
{
	if (strlen(iso) >= 19 && iso[10] == 'T')
		putf(p, "%.10s %.8s", iso, iso + 11);
	else
		text(p, iso);
}

/* The dashboard's button that acknowledges finding id (disabled for a read token). */
static void ack_form(struct page *p, const char *id)
{
	put(p, "<form class=\"ack-form\" method=\"post\" action=\"/findings/");
	url_arg(p, id);
	put(p, "/ack?tenant=");
	url_arg(p, p->live->tenant);
	put(p, "\">");
	csrf_field(p);
	putf(p, "<button class=\"ack\" type=\"submit\"%s>Acknowledge</button></form>",
	     p->live->admin ? "" : " disabled title=\"needs an admin token\"");
}

static void findings(struct page *p, json_t *doc)
{
	json_t *fs = ss_report_findings_sorted(doc), *f, *e, *h;
	size_t i, k, n;

	put(p, "<section class=\"card long\" id=\"findings\">\n<h2>Findings of the audit log <span "
	       "class=\"count\">");
	putf(p, "%zu</span></h2>\n", json_array_size(fs));
	if (!json_array_size(fs)) {
		put(p, "<p class=\"muted\">No findings.</p>\n</section>\n");
		json_decref(fs);
		return;
	}
	put(p, "<p class=\"muted small\">Most severe first. Evidence is the audit record ids "
	       "(<code>secscore audit grep</code> finds the records).</p>\n"
	       "<div class=\"tablewrap\"><table class=\"sortable fixed\" id=\"findings-table\">\n"
	       "<colgroup><col style=\"width:9%\"><col style=\"width:46%\"><col style=\"width:17%\">"
	       "<col style=\"width:13%\"><col style=\"width:6%\"><col style=\"width:9%\"></colgroup>\n"
	       "<thead><tr><th data-type=\"num\">Severity</th><th>Finding and evidence</th><th>User</th>"
	       "<th>When (UTC)</th><th class=\"num\" data-type=\"num\">Count</th><th>Status</th>"
	       "</tr></thead>\n<tbody>\n");
	json_array_foreach (fs, i, f) {
		const char *sev = sev_class(ss_report_str(f, "severity"));
		if (i == FINDINGS_SHOWN)
			break;
		putf(p, "<tr><td data-sort=\"%d\"><span class=\"badge b-%s\">", ss_severity_rank(sev), sev);
		text(p, ss_report_str(f, "severity"));
		put(p, "</span></td><td><b>");
		text(p, ss_report_str(f, "title"));
		put(p, "</b><div class=\"sub\">");
		text(p, ss_report_str(f, "summary"));
		put(p, "</div><div class=\"sub mono\">");
		text(p, ss_report_str(f, "rule"));
		put(p, "</div>");
		put(p, "<div class=\"ev\">Evidence: ");
		n = json_array_size(json_object_get(f, "evidence"));
		json_array_foreach (json_object_get(f, "evidence"), k, e) {
			if (k == EVIDENCE_SHOWN) {
				putf(p, " and %zu more", n - EVIDENCE_SHOWN);
				break;
			}
			put(p, k ? ", <code>" : "<code>");
			text(p, json_string_value(e));
			put(p, "</code>");
		}
		if (!n)
			put(p, "an aggregate over the audit log, no single record");
		put(p, "</div>");
		put(p, "</td><td class=\"off\">");
		text(p, json_is_string(json_object_get(f, "user")) ? ss_report_str(f, "user") : "");
		put(p, "</td><td class=\"when\">");
		when(p, ss_report_str(f, "first"));
		if (strcmp(ss_report_str(f, "first"), ss_report_str(f, "last"))) {
			put(p, "<br>");
			when(p, ss_report_str(f, "last"));
		}
		putf(p, "</td><td class=\"num\">%lld</td><td>",
		     (long long)json_integer_value(json_object_get(f, "count")));
		putf(p, "<span class=\"status status-%s\">",
		     strcmp(ss_report_str(f, "status"), "open") == 0 ? "open" : "done");
		text(p, ss_report_str(f, "status"));
		put(p, "</span>");
		if (p->live && strcmp(ss_report_str(f, "status"), "open") == 0)
			ack_form(p, ss_report_str(f, "id"));
		n = json_array_size(json_object_get(f, "history"));
		if (n) {
			h = json_array_get(json_object_get(f, "history"), n - 1);
			put(p, "<div class=\"sub\">");
			text(p, ss_report_str(h, "by"));
			if (ss_report_str(h, "note")[0]) {
				put(p, ": ");
				text(p, ss_report_str(h, "note"));
			}
			put(p, "</div>");
		}
		put(p, "</td></tr>\n");
	}
	put(p, "</tbody></table></div>\n");
	if (json_array_size(fs) > FINDINGS_SHOWN)
		putf(p, "<p class=\"muted small\">%zu more: <code>secscore audit findings</code>.</p>\n",
		     json_array_size(fs) - FINDINGS_SHOWN);
	put(p, "</section>\n");
	json_decref(fs);
}

/* Day number of a YYYY-MM-DD string, or -1. */
static int64_t day_of(const char *s)
{
	ss_time_ms t;

	if (!s || ss_time_parse(s, strlen(s), &t) != 0)
		return -1;
	return t / SS_DAY_MS;
}

/* Records per day as bars, days without records marked red under the axis. */
static void coverage_chart(struct page *p, json_t *cov)
{
	json_t *pd = json_object_get(cov, "per_day"), *d;
	int64_t first = day_of(ss_report_str(cov, "first")), last = day_of(ss_report_str(cov, "last")), span;
	double maxn = 1, bw;
	const double L = 44, R = 1088, T = 12, B = 128; /* in the 1100x160 viewBox */
	size_t i;

	if (first < 0 || last < first)
		return;
	if (last - first + 1 > COVERAGE_DAYS)
		first = last - COVERAGE_DAYS + 1;
	span = last - first + 1;
	json_array_foreach (pd, i, d)
		if (day_of(ss_report_str(d, "date")) >= first)
			maxn = fmax(maxn, ss_report_num(d, "records"));
	bw = (R - L) / (double)span;
	put(p, "<svg class=\"chart\" viewBox=\"0 0 1100 160\" role=\"img\" aria-label=\"Audit records per "
	       "day\">\n");
	putf(p, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#9ca3af\"/>\n", L, R, B, B);
	putf(p,
	     "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\" font-size=\"11\" "
	     "fill=\"#6b7280\">%.0f</text>\n",
	     L - 6, T + 4, maxn);
	putf(p,
	     "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\" font-size=\"11\" fill=\"#6b7280\">0</text>\n",
	     L - 6, B);
	json_array_foreach (pd, i, d) {
		int64_t day = day_of(ss_report_str(d, "date"));
		double n = ss_report_num(d, "records"), h = (B - T) * n / maxn;
		if (day < first || day > last)
			continue;
		putf(p, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#60a5fa\"><title>",
		     L + bw * (double)(day - first) + bw * 0.12, B - fmax(h, 1), bw * 0.76, fmax(h, 1));
		text(p, ss_report_str(d, "date"));
		putf(p, ": %.0f records</title></rect>\n", n);
	}
	json_array_foreach (json_object_get(cov, "gaps"), i, d) {
		int64_t day = day_of(json_string_value(d));
		if (day < first || day > last)
			continue;
		putf(p, "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"6\" fill=\"#dc2626\"><title>",
		     L + bw * (double)(day - first) + bw * 0.12, B + 3, bw * 0.76);
		text(p, json_string_value(d));
		put(p, ": no records</title></rect>\n");
	}
	put(p, "<text x=\"44\" y=\"152\" font-size=\"11\" fill=\"#6b7280\">");
	text(p, ss_report_str(cov, "first"));
	put(p, "</text><text x=\"1088\" y=\"152\" text-anchor=\"end\" font-size=\"11\" fill=\"#6b7280\">");
	text(p, ss_report_str(cov, "last"));
	put(p, "</text>\n</svg>\n");
}

static void list(struct page *p, json_t *a, size_t max)
{
	json_t *v;
	size_t i;

	if (!json_array_size(a)) {
		put(p, "<span class=\"good\">none</span>");
		return;
	}
	json_array_foreach (a, i, v) {
		if (i == max) {
			putf(p, " and %zu more", json_array_size(a) - max);
			break;
		}
		put(p, i ? ", " : "");
		text(p, json_string_value(v));
	}
}

static void coverage(struct page *p, json_t *doc)
{
	json_t *cov = json_object_get(doc, "coverage"), *w, *r;
	size_t i, gaps = json_array_size(json_object_get(cov, "gaps"));

	put(p, "<section class=\"card long\" id=\"coverage\">\n<h2>Audit log coverage</h2>\n");
	if (!json_integer_value(json_object_get(cov, "records"))) {
		put(p, "<p class=\"muted\">No audit data in the store: <code>secscore audit ingest "
		       "PATH</code> reads exports of the unified audit log.</p>\n</section>\n");
		return;
	}
	put(p, "<div class=\"stats\">");
	putf(p, "<div class=\"stat\"><b>%lld</b><span>records</span></div>",
	     (long long)json_integer_value(json_object_get(cov, "records")));
	put(p, "<div class=\"stat\"><b class=\"small\" style=\"font-size:14px;line-height:1.6\">");
	text(p, ss_report_str(cov, "first"));
	put(p, "<br>");
	text(p, ss_report_str(cov, "last"));
	put(p, "</b><span>span</span></div>");
	putf(p, "<div class=\"stat\"><b>%lld / %lld</b><span>days with records</span></div>",
	     (long long)json_integer_value(json_object_get(cov, "days_with_records")),
	     (long long)json_integer_value(json_object_get(cov, "days_covered")));
	putf(p, "<div class=\"stat\"><b class=\"%s\">%zu</b><span>days without records</span></div>",
	     gaps ? "bad" : "good", gaps);
	putf(p, "<div class=\"stat\"><b>%lld</b><span>duplicates dropped</span></div>",
	     (long long)json_integer_value(json_object_get(cov, "duplicates")));
	putf(p, "<div class=\"stat\"><b class=\"%s\">%lld</b><span>records rejected</span></div>",
	     json_integer_value(json_object_get(cov, "rejected")) ? "bad" : "",
	     (long long)json_integer_value(json_object_get(cov, "rejected")));
	put(p, "</div>\n");
	coverage_chart(p, cov);
	if (gaps) {
		put(p, "<p class=\"note\"><b>Days without records:</b> ");
		list(p, json_object_get(cov, "gaps"), 30);
		put(p,
		    ". Detections and review controls cannot see these days; export and ingest them.</p>\n");
	}
	json_array_foreach (json_object_get(cov, "warnings"), i, w) {
		put(p, "<p class=\"note\">");
		text(p, json_string_value(w));
		put(p, "</p>\n");
	}
	put(p,
	    "<h3>By workload</h3>\n<div class=\"tablewrap\"><table class=\"sortable\" id=\"workloads-table\">"
	    "<thead><tr><th>Workload</th><th class=\"num\" data-type=\"num\">Records</th>"
	    "<th class=\"num\" data-type=\"num\">Days</th><th>Days without "
	    "records</th></tr></thead>\n<tbody>\n");
	json_array_foreach (json_object_get(cov, "workloads"), i, w) {
		put(p, "<tr><td>");
		text(p, ss_report_str(w, "workload"));
		putf(p, "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td><td class=\"small\">",
		     (long long)json_integer_value(json_object_get(w, "records")),
		     (long long)json_integer_value(json_object_get(w, "days")));
		list(p, json_object_get(w, "gaps"), 12);
		put(p, "</td></tr>\n");
	}
	put(p, "</tbody></table></div>\n");
	if (json_array_size(json_object_get(cov, "recent_rejects"))) {
		put(p, "<h3>Recent rejects</h3>\n<div class=\"tablewrap\"><table><thead><tr><th>File</th>"
		       "<th class=\"num\">Line</th><th>Reason</th></tr></thead>\n<tbody>\n");
		json_array_foreach (json_object_get(cov, "recent_rejects"), i, r) {
			if (i == REJECTS_SHOWN)
				break;
			put(p, "<tr><td class=\"off mono\">");
			text(p, ss_report_str(r, "file"));
			putf(p, "</td><td class=\"num\">%lld</td><td>",
			     (long long)json_integer_value(json_object_get(r, "line")));
			text(p, ss_report_str(r, "reason"));
			put(p, "</td></tr>\n");
		}
		put(p, "</tbody></table></div>\n");
	}
	putf(p,
	     "<h3>Inputs <span class=\"muted\" style=\"font-weight:400\">%zu files, %lld ingest "
	     "runs</span></h3>\n",
	     json_array_size(json_object_get(cov, "inputs")),
	     (long long)json_integer_value(json_object_get(cov, "runs")));
	put(p,
	    "<div class=\"tablewrap\"><table><thead><tr><th>File</th><th>Format</th>"
	    "<th class=\"num\">Records</th><th class=\"num\">Duplicates</th><th class=\"num\">Rejected</th>"
	    "</tr></thead>\n<tbody>\n");
	json_array_foreach (json_object_get(cov, "inputs"), i, r) {
		if (i == INPUTS_SHOWN) {
			putf(p,
			     "<tr><td colspan=\"5\" class=\"muted\">and %zu more (<code>secscore audit "
			     "stats</code>)</td></tr>\n",
			     json_array_size(json_object_get(cov, "inputs")) - INPUTS_SHOWN);
			break;
		}
		put(p, "<tr><td class=\"mono\" style=\"overflow-wrap:anywhere\">");
		text(p, ss_report_str(r, "path"));
		put(p, "</td><td class=\"small\">");
		text(p, ss_report_str(r, "format"));
		put(p, " · ");
		text(p, ss_report_str(r, "codec"));
		putf(p,
		     "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td><td "
		     "class=\"num\">%lld</td></tr>\n",
		     (long long)json_integer_value(json_object_get(r, "records")),
		     (long long)json_integer_value(json_object_get(r, "duplicates")),
		     (long long)json_integer_value(json_object_get(r, "rejected")));
	}
	put(p, "</tbody></table></div>\n</section>\n");
}

static void close_page(struct page *p, const char *generated)
{
	put(p, "</main>\n<footer>");
	put(p, p->live ? "secscore " SS_VERSION " · read from the store "
		       : "Generated by secscore " SS_VERSION " · ");
	text(p, generated);
	put(p, " · this page loads nothing from the network</footer>\n<script>");
	put(p, script);
	put(p, "</script>\n</body>\n</html>\n");
}

int ss_report_html_live(json_t *doc, const struct ss_html_live *live, struct ss_buf *out)
{
	json_t *score = json_object_get(doc, "secureScore");
	struct page p = {.out = out, .rc = 0, .live = live};

	ss_buf_init(&p.tmp, SS_REPORT_MAX);
	head(&p, doc);
	put(&p, "<div class=\"grid top3\">\n");
	donut(&p, score);
	facts(&p, doc);
	trend(&p, doc);
	put(&p, "</div>\n<div class=\"grid\">\n");
	bars(&p, "Points by category", json_object_get(score, "categories"));
	bars(&p, "Points by service", json_object_get(score, "services"));
	put(&p, "</div>\n<div class=\"grid\">\n");
	next_actions(&p, doc);
	plan(&p, doc);
	put(&p, "</div>\n");
	controls(&p, doc);
	findings(&p, doc);
	coverage(&p, doc);
	close_page(&p, ss_report_str(doc, "generatedDateTime"));
	ss_buf_release(&p.tmp);
	return p.rc;
}

int ss_report_html(json_t *doc, struct ss_buf *out)
{
	return ss_report_html_live(doc, NULL, out);
}

int ss_report_html_begin(struct ss_buf *out, const struct ss_html_live *live, const char *eyebrow,
			 const char *title)
{
	struct page p = {.out = out, .rc = 0, .live = live};

	ss_buf_init(&p.tmp, SS_REPORT_MAX);
	open_page(&p, "secscore: ", title, eyebrow);
	nav(&p);
	put(&p, "</div></header>\n<main class=\"wrap\">\n");
	banners(&p);
	ss_buf_release(&p.tmp);
	return p.rc;
}

int ss_report_html_end(struct ss_buf *out, const struct ss_html_live *live, const char *generated)
{
	struct page p = {.out = out, .rc = 0, .live = live};

	ss_buf_init(&p.tmp, SS_REPORT_MAX);
	close_page(&p, generated);
	ss_buf_release(&p.tmp);
	return p.rc;
}

int ss_report_html_text(struct ss_buf *out, const char *s)
{
	struct page p = {.out = out, .rc = 0, .live = NULL};

	ss_buf_init(&p.tmp, SS_REPORT_MAX);
	text(&p, s);
	ss_buf_release(&p.tmp);
	return p.rc;
}

int ss_report_html_url_arg(struct ss_buf *out, const char *s)
{
	struct page p = {.out = out, .rc = 0, .live = NULL};

	url_arg(&p, s);
	return p.rc;
}
