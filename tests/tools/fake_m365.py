#!/usr/bin/env python3
"""fake_m365.py - a fake of the three Microsoft endpoints `secscore collect` talks to, on 127.0.0.1.

Python 3 standard library only (plus the `openssl` command for RS256 client assertions). It plays:

  POST /{tenant}/oauth2/v2.0/token              Entra ID token endpoint (client credentials:
  POST /{tenant}/oauth2/token                   client_secret or an RS256 JWT client_assertion;
                                                v2 takes scope=<resource>/.default, v1 resource=)
  GET  /v1.0/{resource}                         Microsoft Graph, paged with absolute @odata.nextLink
  .../api/v1.0/{tenant}/activity/feed/...       Office 365 Management Activity API (subscriptions
                                                start/stop/list/content with NextPageUri)
  GET  /_blobs/{contentId}                      the contentUri of each content blob
  /_control/...                                 test-only: stats, scenario, faults, shutdown

  fake_m365.py --port 0 [--state DIR] [--scenario FILE | --generate N --records-per-blob M --seed S]
               [--now 2026-11-20T00:00:00Z] [--log FILE] [--dump-scenario FILE]

Prints `READY http://127.0.0.1:PORT` on stdout once listening; runs until killed or until
POST /_control/shutdown. Faults are deterministic (by authenticated call count per path key), so a
test run is reproducible. See tests/tools/README-fake-m365.md for the scenario format.
"""
import argparse
import base64
import copy
import datetime as dt
import fnmatch
import hashlib
import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

UTC = dt.timezone.utc
CONTENT_TYPES = ["Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint", "Audit.General", "DLP.All"]
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
# resource identifiers (public cloud and national clouds) -> which API the token is for
RESOURCES = {
    "https://graph.microsoft.com": "graph", "https://graph.microsoft.us": "graph",
    "https://dod-graph.microsoft.us": "graph", "https://microsoftgraph.chinacloudapi.cn": "graph",
    "00000003-0000-0000-c000-000000000000": "graph",
    "https://manage.office.com": "manage", "https://manage-gcc.office.com": "manage",
    "https://manage.office365.us": "manage", "https://manage.protection.apps.mil": "manage",
    "https://manage.office.cn": "manage",
    "c5393580-f805-4401-95e8-94b7a6ef2fc2": "manage",
}
GRAPH_SINGLETONS = {"policies/authorizationPolicy", "policies/identitySecurityDefaultsEnforcementPolicy",
                    "policies/adminConsentRequestPolicy"}
USER_PROPERTIES = {p.lower() for p in (
    "id userPrincipalName displayName accountEnabled userType assignedLicenses assignedPlans signInActivity "
    "passwordPolicies lastPasswordChangeDateTime createdDateTime mail givenName surname jobTitle department "
    "businessPhones mobilePhone officeLocation preferredLanguage onPremisesSyncEnabled onPremisesImmutableId "
    "otherMails proxyAddresses usageLocation externalUserState creationType identities companyName "
    "employeeId mailNickname").split()}
USER_DEFAULT = ["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
                "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"]
REDACT = {"client_secret", "client_assertion", "access_token", "code", "password", "refresh_token"}


# ---------------------------------------------------------------- time helpers
def iso_z(t, ms=False):
    t = t.astimezone(UTC)
    if ms:
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(s, now=None):
    """ISO 8601 (Z, offset or none = UTC, fractions allowed) or relative '-90m', '-2h', '-3d'."""
    if isinstance(s, (int, float)):
        return dt.datetime.fromtimestamp(s, UTC)
    m = re.fullmatch(r"-(\d+(?:\.\d+)?)([smhd])", s.strip())
    if m:
        mult = {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
        return (now or dt.datetime.now(UTC)) - dt.timedelta(seconds=float(m.group(1)) * mult)
    s = s.strip().replace("Z", "+00:00")
    m = re.fullmatch(r"(.*T\d\d:\d\d:\d\d)\.(\d+)(.*)", s)
    if m:  # fromisoformat in 3.10 wants 3 or 6 fraction digits
        s = m.group(1) + "." + (m.group(2) + "000000")[:6] + m.group(3)
    t = dt.datetime.fromisoformat(s)
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def parse_api_time(s):
    """The Management Activity API's documented startTime/endTime formats (UTC), plus a trailing Z."""
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(s[:-1] if s.endswith("Z") and "T" in s else s, fmt).replace(tzinfo=UTC)
        except ValueError:
            pass
    return None


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(json.dumps(obj))
    os.replace(tmp, path)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


# ---------------------------------------------------------------- built-in tenant (Graph)
FIRST = ["Adele", "Alex", "Allan", "Debra", "Diego", "Emily", "Enrico", "Grady", "Henrietta", "Irvin",
         "Isaiah", "Johanna", "Joni", "Lee", "Lidia", "Lynne", "Megan", "Miriam", "Nestor", "Patti",
         "Pradeep", "Raul", "Christie", "Cameron", "Brian"]
LAST = ["Vance", "Wilber", "Deyoung", "Berger", "Siciliani", "Braun", "Cattaneo", "Archie", "Mueller",
        "Sherman", "Langer", "Lauer", "Sherman", "Gu", "Holloway", "Robbins", "Bowen", "Graham", "Wilke",
        "Fernandez", "Gupta", "Razor", "Cline", "White", "Johnson"]
SKU_E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965"
SKU_P2 = "eec0eb4f-6444-4f95-aba0-50c24d67f998"


def rand_guid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def tenant_users(tenant, seed=1):
    """25 users: 2 admins (one break-glass), 2 guests, 2 disabled; deterministic for a tenant."""
    rng = random.Random("%s/%s" % (tenant["id"], seed))
    dom = tenant["domains"][-1]
    initial = tenant["domains"][0]
    users = []
    for i in range(22):
        f, l = FIRST[i], LAST[i]
        users.append({"first": f, "last": l, "upn": "%s.%s@%s" % (f.lower(), l.lower(), dom),
                      "id": rand_guid(rng), "puid": "1003%012X" % rng.getrandbits(48), "kind": "member"})
    users[0]["upn"] = "admin@" + dom
    users[0]["kind"] = "admin"
    users.append({"first": "Break", "last": "Glass", "upn": "bg-admin@" + initial, "id": rand_guid(rng),
                  "puid": "1003%012X" % rng.getrandbits(48), "kind": "breakglass"})
    for name, org in (("lena", "fabrikam.com"), ("tom", "northwind.example")):
        users.append({"first": name.title(), "last": "(Guest)", "upn": "%s_%s#EXT#@%s" % (name, org, initial),
                      "mail": "%s@%s" % (name, org), "id": rand_guid(rng),
                      "puid": "1003%012X" % rng.getrandbits(48), "kind": "guest"})
    users[20]["kind"] = users[21]["kind"] = "disabled"
    return users


def build_graph(tenant, now, seed=1):
    rng = random.Random("graph/%s/%s" % (tenant["id"], seed))
    users = tenant_users(tenant, seed)
    tid = tenant["id"]
    out = {}
    out["organization"] = [{
        "id": tid, "displayName": tenant.get("name", "Contoso"), "tenantType": "AAD",
        "countryLetterCode": "US", "createdDateTime": "2019-03-01T10:00:00Z",
        "mobileDeviceManagementAuthority": "intune", "onPremisesSyncEnabled": None,
        "verifiedDomains": [{"name": d, "isDefault": i == len(tenant["domains"]) - 1, "isInitial": i == 0,
                             "type": "Managed", "capabilities": "Email, OfficeCommunicationsOnline"}
                            for i, d in enumerate(tenant["domains"])]}]
    e3_plans = ["EXCHANGE_S_ENTERPRISE", "SHAREPOINTENTERPRISE", "MCOSTANDARD", "TEAMS1", "INTUNE_A",
                "AAD_PREMIUM", "MFA_PREMIUM", "RMS_S_ENTERPRISE"]
    out["subscribedSkus"] = [
        {"id": tid + "_" + SKU_E3, "skuId": SKU_E3, "skuPartNumber": "SPE_E3", "capabilityStatus": "Enabled",
         "appliesTo": "User", "consumedUnits": 21,
         "prepaidUnits": {"enabled": 25, "suspended": 0, "warning": 0, "lockedOut": 0},
         "servicePlans": [{"servicePlanId": rand_guid(rng), "servicePlanName": p, "provisioningStatus": "Success",
                           "appliesTo": "User"} for p in e3_plans]},
        {"id": tid + "_" + SKU_P2, "skuId": SKU_P2, "skuPartNumber": "AAD_PREMIUM_P2", "capabilityStatus": "Enabled",
         "appliesTo": "User", "consumedUnits": 2,
         "prepaidUnits": {"enabled": 5, "suspended": 0, "warning": 0, "lockedOut": 0},
         "servicePlans": [{"servicePlanId": rand_guid(rng), "servicePlanName": "AAD_PREMIUM_P2",
                           "provisioningStatus": "Success", "appliesTo": "User"}]}]
    gu, ru = [], []
    for i, u in enumerate(users):
        guest = u["kind"] == "guest"
        last = now - dt.timedelta(days=rng.choice([0, 1, 2, 5, 12, 29, 45, 95]) if i % 7 else 200,
                                  minutes=rng.randrange(1440))
        lic = [] if guest or u["kind"] == "breakglass" else [{"disabledPlans": [], "skuId": SKU_E3}]
        if u["kind"] == "admin":
            lic.append({"disabledPlans": [], "skuId": SKU_P2})
        gu.append({
            "id": u["id"], "userPrincipalName": u["upn"], "displayName": "%s %s" % (u["first"], u["last"]),
            "givenName": u["first"], "surname": u["last"], "mail": u.get("mail", u["upn"]) if not guest else u["mail"],
            "jobTitle": None if guest else rng.choice(["Sales", "Engineer", "Finance", "HR", "IT"]),
            "businessPhones": [], "mobilePhone": None, "officeLocation": None, "preferredLanguage": "en-US",
            "accountEnabled": u["kind"] != "disabled", "userType": "Guest" if guest else "Member",
            "assignedLicenses": lic, "passwordPolicies": "DisablePasswordExpiration" if i % 5 == 0 else None,
            "lastPasswordChangeDateTime": iso_z(now - dt.timedelta(days=30 + 17 * i)),
            "createdDateTime": iso_z(now - dt.timedelta(days=400 - 9 * i)),
            "onPremisesSyncEnabled": None, "usageLocation": "US",
            "signInActivity": {"lastSignInDateTime": iso_z(last), "lastSignInRequestId": rand_guid(rng),
                               "lastNonInteractiveSignInDateTime": iso_z(last + dt.timedelta(hours=3)),
                               "lastNonInteractiveSignInRequestId": rand_guid(rng),
                               "lastSuccessfulSignInDateTime": iso_z(last),
                               "lastSuccessfulSignInRequestId": rand_guid(rng)}})
        mfa = i % 4 != 3 and not guest
        methods = (["microsoftAuthenticatorPush", "softwareOneTimePasscode"] if mfa else []) + \
                  (["fido2"] if u["kind"] == "admin" else []) + (["email"] if i % 3 == 0 else [])
        ru.append({"id": u["id"], "userPrincipalName": u["upn"], "userDisplayName": gu[-1]["displayName"],
                   "userType": "guest" if guest else "member", "isAdmin": u["kind"] in ("admin", "breakglass"),
                   "isSsprRegistered": i % 3 == 0, "isSsprEnabled": True, "isSsprCapable": i % 3 == 0,
                   "isMfaRegistered": mfa, "isMfaCapable": mfa, "isPasswordlessCapable": u["kind"] == "admin",
                   "methodsRegistered": methods, "isSystemPreferredAuthenticationMethodEnabled": True,
                   "systemPreferredAuthenticationMethods": methods[:1],
                   "userPreferredMethodForSecondaryAuthentication": "push" if mfa else "none",
                   "lastUpdatedDateTime": iso_z(now - dt.timedelta(days=3))})
    out["users"] = gu
    out["reports/authenticationMethods/userRegistrationDetails"] = ru

    def ref(u):
        return {"@odata.type": "#microsoft.graph.user", "id": u["id"], "displayName": "%s %s" % (u["first"], u["last"]),
                "userPrincipalName": u["upn"]}
    admins = [u for u in users if u["kind"] in ("admin", "breakglass")]
    out["directoryRoles"] = [
        {"id": rand_guid(rng), "displayName": "Global Administrator", "roleTemplateId": GLOBAL_ADMIN,
         "description": "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.",
         "deletedDateTime": None, "members": [ref(u) for u in admins]},
        {"id": rand_guid(rng), "displayName": "Security Administrator", "roleTemplateId": "194ae4cb-b126-40b2-bd5b-6091b380977d",
         "description": "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.",
         "deletedDateTime": None, "members": [ref(admins[0])]},
        {"id": rand_guid(rng), "displayName": "Directory Readers", "roleTemplateId": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
         "description": "Can read basic directory information.", "deletedDateTime": None, "members": []}]
    out["groups"] = [{"id": rand_guid(rng), "displayName": n, "mailEnabled": False, "securityEnabled": True,
                      "groupTypes": [], "members": [ref(u) for u in users[k:k + 4]]}
                     for k, n in ((0, "Break Glass Exclusions"), (4, "Finance"), (10, "Approved Forwarders"))]
    out["identity/conditionalAccess/policies"] = [
        {"id": rand_guid(rng), "displayName": "Require MFA for admins", "state": "enabled",
         "createdDateTime": "2024-01-10T09:00:00Z", "modifiedDateTime": None,
         "conditions": {"clientAppTypes": ["all"], "signInRiskLevels": [], "userRiskLevels": [],
                        "applications": {"includeApplications": ["All"], "excludeApplications": []},
                        "users": {"includeUsers": [], "excludeUsers": [admins[-1]["id"]],
                                  "includeGroups": [], "excludeGroups": [],
                                  "includeRoles": [GLOBAL_ADMIN, "194ae4cb-b126-40b2-bd5b-6091b380977d"],
                                  "excludeRoles": []}},
         "grantControls": {"operator": "OR", "builtInControls": ["mfa"], "customAuthenticationFactors": [],
                           "termsOfUse": [], "authenticationStrength": None},
         "sessionControls": None},
        {"id": rand_guid(rng), "displayName": "Block legacy authentication", "state": "enabledForReportingButNotEnforced",
         "createdDateTime": "2024-02-01T09:00:00Z", "modifiedDateTime": "2025-06-01T12:00:00Z",
         "conditions": {"clientAppTypes": ["exchangeActiveSync", "other"], "signInRiskLevels": [], "userRiskLevels": [],
                        "applications": {"includeApplications": ["All"], "excludeApplications": []},
                        "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [],
                                  "excludeGroups": [], "includeRoles": [], "excludeRoles": []}},
         "grantControls": {"operator": "OR", "builtInControls": ["block"], "customAuthenticationFactors": [],
                           "termsOfUse": [], "authenticationStrength": None},
         "sessionControls": None}]
    out["policies/authorizationPolicy"] = {
        "id": "authorizationPolicy", "displayName": "Authorization Policy",
        "description": "Used to manage authorization related settings across the company.",
        "allowInvitesFrom": "everyone", "allowedToSignUpEmailBasedSubscriptions": True,
        "allowedToUseSSPR": True, "allowEmailVerifiedUsersToJoinOrganization": False,
        "blockMsolPowerShell": False, "guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3",
        "defaultUserRolePermissions": {"allowedToCreateApps": True, "allowedToCreateSecurityGroups": True,
                                       "allowedToReadOtherUsers": True,
                                       "permissionGrantPoliciesAssigned": [
                                           "ManagePermissionGrantsForSelf.microsoft-user-default-legacy"]}}
    out["policies/identitySecurityDefaultsEnforcementPolicy"] = {
        "id": "00000000-0000-0000-0000-000000000005", "displayName": "Security Defaults",
        "description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft.",
        "isEnabled": False}
    out["policies/adminConsentRequestPolicy"] = {
        "isEnabled": False, "notifyReviewers": False, "remindersEnabled": False, "requestDurationInDays": 0,
        "reviewers": [], "version": 0}
    out["domains"] = [{"id": d, "authenticationType": "Managed", "isDefault": i == len(tenant["domains"]) - 1,
                       "isInitial": i == 0, "isRoot": True, "isVerified": True, "isAdminManaged": True,
                       "passwordValidityPeriodInDays": 2147483647 if i else 90,
                       "passwordNotificationWindowInDays": 14,
                       "supportedServices": ["Email", "OfficeCommunicationsOnline"]}
                      for i, d in enumerate(tenant["domains"])]
    apps = ["Microsoft Graph", "Office 365 Management APIs", "Office 365 Exchange Online", "SharePoint Online",
            "Microsoft Teams", "secscore collector", "Contoso HR Portal", "Zoom", "Slack", "DocuSign",
            "Adobe Acrobat", "Salesforce", "Mail Backup Pro", "Calendar Sync Helper"]
    sps = []
    for n in apps:
        first_party = n.startswith(("Microsoft", "Office", "SharePoint"))
        sps.append({"id": rand_guid(rng), "appId": rand_guid(rng), "displayName": n, "accountEnabled": True,
                    "servicePrincipalType": "Application",
                    "appOwnerOrganizationId": "f8cdef31-a31e-4b4a-93e4-5f571e91255a" if first_party else tid,
                    "publisherName": "Microsoft Services" if first_party else "Contoso",
                    "signInAudience": "AzureADMultipleOrgs", "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
                    "keyCredentials": [], "passwordCredentials": []})
    out["servicePrincipals"] = sps
    out["oauth2PermissionGrants"] = [
        {"id": b64url(rng.randbytes(33)), "clientId": sps[k]["id"], "consentType": ct,
         "principalId": None if ct == "AllPrincipals" else users[k]["id"], "resourceId": sps[0]["id"], "scope": sc}
        for k, ct, sc in ((6, "AllPrincipals", " User.Read openid profile"), (12, "AllPrincipals", "Mail.Read Mail.Send offline_access"),
                          (13, "Principal", "Calendars.ReadWrite"), (8, "Principal", "User.Read"))]
    out["deviceManagement/deviceCompliancePolicies"] = [
        {"@odata.type": "#microsoft.graph.windows10CompliancePolicy", "id": rand_guid(rng),
         "displayName": "Windows 10 baseline", "createdDateTime": "2024-03-01T00:00:00Z", "version": 3,
         "passwordRequired": True, "passwordRequiredType": "alphanumeric", "passwordMinimumLength": 8,
         "passwordMinutesOfInactivityBeforeLock": 15, "passwordPreviousPasswordBlockCount": 5,
         "passwordBlockSimple": True, "passwordExpirationDays": None, "storageRequireEncryption": True,
         "bitLockerEnabled": True, "secureBootEnabled": True},
        {"@odata.type": "#microsoft.graph.iosCompliancePolicy", "id": rand_guid(rng), "displayName": "iOS baseline",
         "createdDateTime": "2024-03-01T00:00:00Z", "version": 1, "passcodeRequired": True,
         "passcodeMinimumLength": 6, "passcodeBlockSimple": True, "securityBlockJailbrokenDevices": True}]
    out["deviceManagement/deviceConfigurations"] = [
        {"@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "id": rand_guid(rng),
         "displayName": "Windows restrictions", "passwordSignInFailureCountBeforeFactoryReset": 10}]
    out["roleManagement/directory/roleEligibilitySchedules"] = [
        {"id": rand_guid(rng), "principalId": users[1]["id"], "roleDefinitionId": GLOBAL_ADMIN,
         "directoryScopeId": "/", "memberType": "Direct", "status": "Provisioned",
         "scheduleInfo": {"startDateTime": "2025-01-01T00:00:00Z", "expiration": {"type": "noExpiration"}}}]
    return out


# ---------------------------------------------------------------- audit records and scenario generator
UA = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
      "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17726; Pro)", "python-requests/2.31.0",
      "BAV2ROPC"]


class RecordMaker:
    def __init__(self, rng, tenant):
        self.rng, self.tenant = rng, tenant
        self.users = [u for u in tenant_users(tenant) if u["kind"] != "guest"]
        self.dom = tenant["domains"][-1]

    def ip(self):
        r = self.rng.random()
        a = "%d.%d.%d.%d" % (self.rng.choice([20, 40, 52, 81, 145, 185, 203]), self.rng.randrange(256),
                             self.rng.randrange(256), self.rng.randrange(1, 255))
        if r < 0.1:
            return a + ":%d" % self.rng.randrange(1024, 65535)
        if r < 0.15:
            return "2a01:111:f400:%x::%x" % (self.rng.randrange(65536), self.rng.randrange(65536))
        return a

    def base(self, t, op, rtype, workload, user, ip):
        return {"CreationTime": t.strftime("%Y-%m-%dT%H:%M:%S"), "Id": rand_guid(self.rng), "Operation": op,
                "OrganizationId": self.tenant["id"], "RecordType": rtype, "ResultStatus": "Succeeded",
                "UserKey": user["puid"], "UserType": 0, "Version": 1, "Workload": workload, "ClientIP": ip,
                "ObjectId": "", "UserId": user["upn"]}

    def aad(self, t):
        rng, u = self.rng, self.rng.choice(self.users)
        if rng.random() < 0.08:
            r = self.base(t, rng.choice(["Add member to role.", "Consent to application.", "Update user."]), 8,
                          "AzureActiveDirectory", u, "<null>")
            r.update({"ResultStatus": "Success", "AzureActiveDirectoryEventType": 1, "UserKey": u["id"],
                      "ObjectId": rng.choice(self.users)["upn"],
                      "ModifiedProperties": [{"Name": "Role.DisplayName", "NewValue": "Global Administrator",
                                              "OldValue": ""}, {"Name": "Role.TemplateId", "NewValue": GLOBAL_ADMIN,
                                                                "OldValue": ""}],
                      "ExtendedProperties": [{"Name": "additionalDetails", "Value": "{}"},
                                             {"Name": "extendedAuditEventCategory", "Value": "User"}],
                      "Actor": [{"ID": u["upn"], "Type": 5}, {"ID": u["id"], "Type": 2}],
                      "ActorContextId": self.tenant["id"], "InterSystemsId": rand_guid(rng),
                      "IntraSystemId": rand_guid(rng), "SupportTicketId": "",
                      "Target": [{"ID": "User_" + rand_guid(rng), "Type": 2}], "TargetContextId": self.tenant["id"]})
            return r
        ok = rng.random() < 0.75
        ip = self.ip()
        r = self.base(t, "UserLoggedIn" if ok else "UserLoginFailed", 15, "AzureActiveDirectory", u, ip)
        ua = rng.choice(UA)
        r.update({"ResultStatus": "Success" if ok or rng.random() < 0.3 else "Failed", "UserKey": u["id"],
                  "ObjectId": "00000003-0000-0ff1-ce00-000000000000", "AzureActiveDirectoryEventType": 1,
                  "ExtendedProperties": [{"Name": "ResultStatusDetail", "Value": "Success" if ok else "Failed"},
                                         {"Name": "UserAgent", "Value": ua},
                                         {"Name": "UserAuthenticationMethod", "Value": "1"},
                                         {"Name": "RequestType", "Value": rng.choice(["OAuth2:Authorize", "Login:login", "OAuth2:Token"])}],
                  "ModifiedProperties": [],
                  "Actor": [{"ID": u["id"], "Type": 0}, {"ID": u["upn"], "Type": 5}],
                  "ActorContextId": self.tenant["id"], "ActorIpAddress": ip.split(":")[0] if ip.count(":") == 1 else ip,
                  "InterSystemsId": rand_guid(rng), "IntraSystemId": rand_guid(rng), "SupportTicketId": "",
                  "Target": [{"ID": "00000003-0000-0ff1-ce00-000000000000", "Type": 0}],
                  "TargetContextId": self.tenant["id"], "ApplicationId": "00000002-0000-0ff1-ce00-000000000000",
                  "DeviceProperties": [{"Name": "OS", "Value": "Windows 10"}, {"Name": "BrowserType", "Value": "Edge"},
                                       {"Name": "IsCompliant", "Value": "False"}, {"Name": "SessionId", "Value": rand_guid(rng)}],
                  "ErrorNumber": "0" if ok else rng.choice(["50126", "50126", "50053", "50074"])})
        if not ok:
            r["LogonError"] = {"50126": "InvalidUserNameOrPassword", "50053": "IdsLocked",
                               "50074": "UserStrongAuthClientAuthNRequiredInterrupt"}[r["ErrorNumber"]]
        return r

    def exchange(self, t):
        rng, u = self.rng, self.rng.choice(self.users)
        op = rng.choice(["New-InboxRule", "Set-InboxRule", "Set-Mailbox", "MailItemsAccessed", "MailItemsAccessed",
                         "Add-MailboxPermission", "MailboxLogin"])
        if op == "MailItemsAccessed":
            r = self.base(t, op, 50, "Exchange", u, self.ip())
            r.update({"UserKey": u["puid"], "ResultStatus": "Succeeded", "ObjectId": "",
                      "ClientInfoString": "Client=OWA;Action=ViaProxy", "LogonType": 0, "MailboxOwnerUPN": u["upn"],
                      "MailboxGuid": rand_guid(rng), "OperationCount": rng.randrange(1, 40),
                      "OperationProperties": [{"Name": "MailAccessType", "Value": "Bind"},
                                              {"Name": "IsThrottled", "Value": "False"}]})
            return r
        if op == "MailboxLogin":
            r = self.base(t, op, 2, "Exchange", u, self.ip())
            r.update({"ClientInfoString": "Client=Microsoft.Exchange.Imap4", "LogonType": 0,
                      "MailboxOwnerUPN": u["upn"], "MailboxGuid": rand_guid(rng), "ExternalAccess": False})
            return r
        r = self.base(t, op, 1, "Exchange", u, "%s:%d" % (self.ip().split(":")[0], rng.randrange(1024, 65535)))
        r.update({"ResultStatus": "True", "UserType": 2 if op == "Add-MailboxPermission" else 0,
                  "ExternalAccess": False, "OrganizationName": self.tenant["domains"][0],
                  "OriginatingServer": "AM0PR01MB%04d (15.20.7698.000)" % rng.randrange(10000),
                  "AppId": "", "ClientAppId": "", "SessionId": rand_guid(rng)})
        if op in ("New-InboxRule", "Set-InboxRule"):
            name = rng.choice([".", "..", "Newsletter", "Invoices"])
            params = [{"Name": "AlwaysDeleteOutlookRulesBlob", "Value": "False"}, {"Name": "Force", "Value": "False"},
                      {"Name": "Name", "Value": name}]
            if rng.random() < 0.5:
                params.append({"Name": "ForwardTo", "Value": rng.choice(["collect@mail-drop.example",
                                                                         "finance@" + self.dom])})
            params += [{"Name": "MarkAsRead", "Value": "True"}, {"Name": "StopProcessingRules", "Value": "True"}]
            if rng.random() < 0.3:
                params.append({"Name": "MoveToFolder", "Value": "RSS Subscriptions"})
            r["ObjectId"] = "EURPR01A001.prod.outlook.com/Microsoft Exchange Hosted Organizations/%s/%s\\%s" % (
                self.tenant["domains"][0], u["upn"].split("@")[0], name)
            r["Parameters"] = params
        elif op == "Set-Mailbox":
            r["ObjectId"] = u["upn"].split("@")[0]
            r["Parameters"] = [{"Name": "Identity", "Value": u["upn"]},
                               {"Name": "ForwardingSmtpAddress", "Value": "smtp:archive@external-mail.example"},
                               {"Name": "DeliverToMailboxAndForward", "Value": "True"}]
        else:
            r["ObjectId"] = rng.choice(self.users)["upn"]
            r["Parameters"] = [{"Name": "Identity", "Value": r["ObjectId"]}, {"Name": "User", "Value": u["upn"]},
                               {"Name": "AccessRights", "Value": "FullAccess"}, {"Name": "InheritanceType", "Value": "All"}]
        return r

    def sharepoint(self, t):
        rng, u = self.rng, self.rng.choice(self.users)
        op = rng.choice(["FileAccessed", "FileAccessed", "FileDownloaded", "FileModified", "FileUploaded",
                         "FileDeleted", "FileSyncDownloadedFull", "AnonymousLinkCreated"])
        site = rng.choice(["Finance", "HR", "Marketing", "Engineering"])
        name = rng.choice(["Q3 forecast.xlsx", "salaries 2026.xlsx", "roadmap.pptx", "contract-draft.docx", "notes.txt"])
        r = self.base(t, op, 14 if op == "AnonymousLinkCreated" else 6, "SharePoint", u, self.ip())
        site_url = "https://%s.sharepoint.com/sites/%s/" % (self.tenant["domains"][0].split(".")[0], site)
        r.update({"UserKey": "i:0h.f|membership|%s@live.com" % u["puid"].lower(), "ResultStatus": None,
                  "ObjectId": site_url + "Shared Documents/" + name, "CorrelationId": rand_guid(rng),
                  "EventSource": "SharePoint", "ItemType": "File", "ListId": rand_guid(rng),
                  "ListItemUniqueId": rand_guid(rng), "Site": rand_guid(rng), "WebId": rand_guid(rng),
                  "UserAgent": rng.choice(UA[:3]), "SiteUrl": site_url, "SourceFileExtension": name.rsplit(".", 1)[1],
                  "SourceFileName": name, "SourceRelativeUrl": "Shared Documents"})
        del r["ResultStatus"]
        if op == "AnonymousLinkCreated":
            r["EventData"] = "<Type>View</Type>"
            r["TargetUserOrGroupType"] = "Guest"
        return r

    def general(self, t):
        rng, u = self.rng, self.rng.choice(self.users)
        op = rng.choice(["MemberAdded", "TeamCreated", "ChannelAdded", "MeetingDetail"])
        r = self.base(t, op, 25, "MicrosoftTeams", u, self.ip())
        r.update({"UserKey": u["id"], "TeamName": rng.choice(["Project Falcon", "Sales EMEA", "All Company"]),
                  "TeamGuid": "19:%s@thread.tacv2" % rng.getrandbits(64), "AadGroupId": rand_guid(rng),
                  "CommunicationType": "Team", "Members": [{"DisplayName": "%s %s" % (u["first"], u["last"]),
                                                            "Role": 1, "UPN": u["upn"]}]})
        return r

    def make(self, ct, t):
        return {"Audit.AzureActiveDirectory": self.aad, "Audit.Exchange": self.exchange,
                "Audit.SharePoint": self.sharepoint}.get(ct, self.general)(t)


def content_id(rng, tenant, ct, created):
    wl = {"Audit.AzureActiveDirectory": "aad", "Audit.Exchange": "exo", "Audit.SharePoint": "spo"}.get(ct, "gen")
    n = "%d" % (int(created.timestamp()) * 1000 + rng.randrange(1000))
    return "%s$%s$%s%s%s$%s$04" % (n, n, tenant["id"].replace("-", ""), wl, created.strftime("%Y%m%d%H"),
                                   "%032x" % rng.getrandbits(128))


def default_tenant(seed):
    rng = random.Random("tenant/%s" % seed)
    return {"id": rand_guid(rng), "name": "Contoso", "domains": ["contoso.onmicrosoft.com", "contoso.com"]}


def generate_scenario(n_blobs, per_blob, seed, now=None, faults=True):
    """A scenario with n_blobs blobs of per_blob records over the last ~6.5 days, overlapping duplicates,
    late blobs holding old events, one blob older than 7 days, and (faults=True) every fault type once."""
    rng = random.Random(seed)
    fixed = now is not None
    now = (now or dt.datetime.now(UTC)).replace(microsecond=0)
    tenant = default_tenant(seed)
    crng = random.Random("client/%s" % seed)
    client = {"client_id": rand_guid(crng), "client_secret": "fake~%s" % b64url(crng.randbytes(27))}
    mk = RecordMaker(rng, tenant)
    cts = ["Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint", "Audit.General"]
    weights = [4, 3, 3, 1]
    per_ct = {ct: [] for ct in cts}
    first = [cts[0]] * 5 + [cts[1], cts[2], cts[3]]  # enough blobs of each kind for the burst and the faults
    for i in range(max(n_blobs, len(first))):
        per_ct[first[i] if i < len(first) else rng.choices(cts, weights)[0]].append(None)
    blobs = []
    for ct in cts:
        k = len(per_ct[ct])
        times = []
        for j in range(k):
            if ct == cts[0] and j < max(4, k // 3):  # a burst: several blobs within one hour yesterday
                times.append(now - dt.timedelta(hours=30) + dt.timedelta(minutes=7 * j + rng.randrange(5)))
            else:
                times.append(now - dt.timedelta(minutes=rng.randrange(10, int(6.5 * 1440))))
        for t in sorted(times):
            t = t.replace(microsecond=0)
            recs = []
            for _ in range(per_blob):
                ev = t - dt.timedelta(minutes=rng.randrange(20, 120), seconds=rng.randrange(60))
                recs.append(mk.make(ct, ev))
            blobs.append({"contentType": ct, "contentId": content_id(rng, tenant, ct, t), "contentCreated": iso_z(t),
                          "records": recs})
    # late blobs: events days older than the blob (one per main content type)
    for ct in cts[:2]:
        t = (now - dt.timedelta(hours=rng.randrange(3, 20))).replace(microsecond=0)
        recs = [mk.make(ct, t - dt.timedelta(days=rng.randrange(2, 5), minutes=rng.randrange(1440)))
                for _ in range(max(2, per_blob // 2))]
        blobs.append({"contentType": ct, "contentId": content_id(rng, tenant, ct, t), "contentCreated": iso_z(t),
                      "records": recs, "note": "late blob: events days older than contentCreated"})
    # overlapping duplicates: records repeated in the next blob of the same content type,
    # once identical and once with the fields in another order
    by_ct = {}
    for b in blobs:
        by_ct.setdefault(b["contentType"], []).append(b)
    for ct, bl in by_ct.items():
        bl.sort(key=lambda b: b["contentCreated"])
        for a, b in zip(bl, bl[1:]):
            if rng.random() < 0.6 and a["records"]:
                picks = rng.sample(a["records"], min(2, len(a["records"])))
                b["records"].append(copy.deepcopy(picks[0]))
                if len(picks) > 1:
                    b["records"].append(dict(reversed(list(copy.deepcopy(picks[1]).items()))))
    # a blob too old to list (contentCreated more than 7 days ago)
    t = (now - dt.timedelta(days=7, hours=3)).replace(microsecond=0)
    blobs.append({"contentType": cts[1], "contentId": content_id(rng, tenant, cts[1], t), "contentCreated": iso_z(t),
                  "records": [mk.make(cts[1], t - dt.timedelta(hours=1)) for _ in range(2)],
                  "note": "older than 7 days: cannot be listed"})
    blobs.sort(key=lambda b: b["contentCreated"])
    sc = {"now": iso_z(now) if fixed else None, "tenant": tenant, "client": client,
          "token_lifetime": 3599, "graph_page_size": 10, "content_page_size": 3,
          "content_types": cts, "blobs": blobs, "faults": []}
    if faults:
        listable = [b for b in blobs if parse_time(b["contentCreated"]) >= now - dt.timedelta(days=6, hours=20)]
        pick = {}
        for ct in cts[:3]:
            pick[ct] = [b for b in listable if b["contentType"] == ct and "note" not in b]
        b500 = pick[cts[0]][0]
        b429 = pick[cts[1]][0]
        bdrop = pick[cts[2]][0]
        bexp = pick[cts[0]][-1]
        bexp["expired"] = True
        bexp["note"] = "disappears: download answers AF20051"
        # one of the expired blob's records also arrives in another blob, so it is not lost
        pick[cts[0]][-2]["records"].append(copy.deepcopy(bexp["records"][0]))
        sc["faults"] = [
            {"match": "graph/users", "calls": [2], "type": "429", "retry_after": 1},
            {"match": "graph/directoryRoles", "calls": [1], "type": "503", "retry_after": 1},
            {"match": "graph/subscribedSkus", "calls": [1], "type": "drop"},
            {"match": "subscriptions/content", "calls": [2], "type": "AF429"},
            {"match": "subscriptions/content", "calls": [5], "type": "AF50000"},
            {"match": "blob/" + b500["contentId"], "calls": [1], "type": "500"},
            {"match": "blob/" + b429["contentId"], "calls": [1], "type": "429", "retry_after": 1},
            {"match": "blob/" + bdrop["contentId"], "calls": [1], "type": "drop"},
        ]
    return sc


# ---------------------------------------------------------------- server state
class State:
    def __init__(self, scenario, state_dir=None, log_path=None):
        self.lock = threading.RLock()
        self.state_dir = state_dir
        self.log_path = log_path
        self.base = None
        self.tokens = {}          # access token -> {kind, resource, tenant, exp, client_id}
        self.subscriptions = {}   # content type -> "enabled" | "disabled"
        self.counters = {}        # fault key -> authenticated calls
        self.graph_pages = {}     # $skiptoken -> {resource, offset}
        self.content_pages = {}   # nextPage -> {ct, start, end, offset}
        self.jtis = set()
        self.reset_stats()
        self.set_scenario(scenario)

    def reset_stats(self):
        self.stats = {"calls": {}, "calls_by_key": {}, "status": {}, "faults_served": 0, "faults_by_type": {},
                      "faults": [], "unauthorized": 0, "missing_publisher": 0, "publisher_identifiers": [],
                      "tokens_issued": {"graph": 0, "manage": 0}, "token_grants": {}, "token_errors": 0,
                      "assertion_replays": 0, "assertions_unverified": 0, "blobs_served": 0, "blob_ids_served": [],
                      "records_served": 0, "record_ids_served": [], "graph_items_served": {}}

    def set_scenario(self, sc):
        sc = copy.deepcopy(sc)
        sc.setdefault("tenant", default_tenant(1))
        sc["tenant"].setdefault("domains", ["contoso.onmicrosoft.com", "contoso.com"])
        sc.setdefault("client", {"client_id": "11111111-2222-4333-8444-555555555555",
                                 "client_secret": "fake-secret-value"})
        sc.setdefault("content_types", ["Audit.AzureActiveDirectory", "Audit.Exchange", "Audit.SharePoint",
                                        "Audit.General"])
        sc.setdefault("blobs", [])
        sc.setdefault("faults", [])
        for k, v in (("token_lifetime", 3599), ("graph_page_size", 10), ("content_page_size", 100),
                     ("require_publisher", True), ("publisher_identifier", None), ("next_page_publisher", False),
                     ("subscription_restart_error", False), ("builtin_graph", True)):
            sc.setdefault(k, v)
        for s in sc.get("subscriptions", {}) if isinstance(sc.get("subscriptions"), dict) else sc.get("subscriptions", []):
            self.subscriptions.setdefault(s, "enabled")
        self.scenario = sc
        self.scenario_dirty = True
        self.index_blobs()
        now = self.now()
        graph = build_graph(sc["tenant"], now) if sc["builtin_graph"] else {}
        graph.update(sc.get("graph", {}))
        self.graph = graph
        self.counters = {}

    def index_blobs(self):
        now = self.now()
        self.blobs = {}
        rng = random.Random(self.scenario["tenant"]["id"])
        for b in self.scenario["blobs"]:
            b["_created"] = parse_time(b["contentCreated"], now)
            if not b.get("contentId"):
                b["contentId"] = content_id(rng, self.scenario["tenant"], b["contentType"], b["_created"])
            self.blobs[b["contentId"]] = b

    def now(self):
        n = self.scenario.get("now") if hasattr(self, "scenario") else None
        if n and n != "real":
            return parse_time(n)
        return dt.datetime.now(UTC).replace(microsecond=0)

    def scenario_json(self):
        sc = copy.deepcopy(self.scenario)
        for b in sc["blobs"]:
            b.pop("_created", None)
        return sc

    # -- persistence (--state DIR): scenario.json when it changes, state.json after every request,
    #    served.jsonl: one line per blob served (its record ids), so the id lists survive a restart
    def save(self):
        if not self.state_dir:
            return
        if self.scenario_dirty:
            write_json(os.path.join(self.state_dir, "scenario.json"), self.scenario_json())
            self.scenario_dirty = False
        stats = {k: v for k, v in self.stats.items() if k not in ("record_ids_served", "blob_ids_served")}
        write_json(os.path.join(self.state_dir, "state.json"), {
            "tokens": self.tokens, "subscriptions": self.subscriptions, "counters": self.counters,
            "graph_pages": self.graph_pages, "content_pages": self.content_pages, "stats": stats,
            "jtis": sorted(self.jtis)})

    def journal_served(self, cid, ids):
        self.stats["blobs_served"] += 1
        self.stats["blob_ids_served"].append(cid)
        self.stats["records_served"] += len(ids)
        self.stats["record_ids_served"].extend(ids)
        if self.state_dir:
            with open(os.path.join(self.state_dir, "served.jsonl"), "a") as f:
                f.write(json.dumps({"blob": cid, "ids": ids}) + "\n")

    def load(self, keep_scenario=False):
        d = self.state_dir
        if not keep_scenario and os.path.exists(os.path.join(d, "scenario.json")):
            with open(os.path.join(d, "scenario.json")) as f:
                self.set_scenario(json.load(f))
            self.scenario_dirty = False
        if not os.path.exists(os.path.join(d, "state.json")):
            return
        with open(os.path.join(d, "state.json")) as f:
            data = json.load(f)
        self.tokens = data.get("tokens", {})
        self.subscriptions = data.get("subscriptions", {})
        self.counters = data.get("counters", {})
        self.graph_pages = data.get("graph_pages", {})
        self.content_pages = data.get("content_pages", {})
        self.stats.update(data.get("stats", {}))
        self.stats["blob_ids_served"], self.stats["record_ids_served"] = [], []
        self.jtis = set(data.get("jtis", []))
        if os.path.exists(os.path.join(d, "served.jsonl")):
            with open(os.path.join(d, "served.jsonl")) as f:
                for line in f:
                    try:
                        e = json.loads(line)
                    except ValueError:
                        continue  # a line cut by a kill
                    self.stats["blob_ids_served"].append(e["blob"])
                    self.stats["record_ids_served"].extend(e["ids"])

    def log(self, entry):
        if not self.log_path:
            return
        with self.lock:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")

    # -- expected sets for a test
    def expected(self):
        now = self.now()
        lo = now - dt.timedelta(days=7)
        by_ct, lost_candidates, expired, unlistable = {}, set(), [], []
        for b in self.scenario["blobs"]:
            ids = [r.get("Id") for r in b.get("records", []) if isinstance(r, dict)]
            c = b["_created"]
            if c < lo or c > now:
                unlistable.append(b["contentId"])
                continue
            if b.get("expired") or c + dt.timedelta(days=7) <= now:
                expired.append(b["contentId"])
                lost_candidates.update(ids)
                continue
            by_ct.setdefault(b["contentType"], set()).update(ids)
        allids = set().union(*by_ct.values()) if by_ct else set()
        return {"record_ids": sorted(allids), "record_count": len(allids),
                "by_content_type": {k: sorted(v) for k, v in by_ct.items()},
                "lost_record_ids": sorted(lost_candidates - allids), "expired_blobs": expired,
                "unlistable_blobs": unlistable,
                "listable_blobs": sum(1 for b in self.scenario["blobs"] if lo <= b["_created"] <= now)}

    def stats_json(self):
        s = copy.deepcopy(self.stats)
        d = sorted(set(s["record_ids_served"]))
        s["distinct_record_ids"] = d
        s["distinct_record_count"] = len(d)
        s["blobs_served_distinct"] = len(set(s["blob_ids_served"]))
        s["subscriptions"] = dict(self.subscriptions)
        s["counters"] = dict(self.counters)
        s["expected"] = self.expected()
        return s


# ---------------------------------------------------------------- HTTP handler
def graph_error(code, message, request_id):
    return {"error": {"code": code, "message": message,
                      "innerError": {"date": iso_z(dt.datetime.now(UTC)), "request-id": request_id,
                                     "client-request-id": request_id}}}


def aad_error(error, code, message):
    tid = str(uuid.uuid4())
    ts = dt.datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return {"error": error,
            "error_description": "AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s" % (
                code, message, tid, tid, ts),
            "error_codes": [code], "timestamp": ts, "trace_id": tid, "correlation_id": tid,
            "error_uri": "https://login.microsoftonline.com/error?code=%d" % code}


def af(code, message):
    return {"error": {"code": code, "message": message}}


class Dropped(Exception):
    pass


def make_handler(st, server_ref):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "fake-m365/1.0"
        sys_version = ""

        def log_message(self, *a):
            pass

        def version_string(self):
            return self.server_version

        def finish(self):
            try:
                super().finish()
            except OSError:
                pass

        # -- plumbing
        def setup_request(self):
            u = urlsplit(self.path)
            self.req_path = unquote(u.path)
            self.raw_query = u.query
            self.q = {}
            for k, v in parse_qsl(u.query, keep_blank_values=True):
                self.q.setdefault(k, v)
            self.qlower = {k.lower(): v for k, v in self.q.items()}
            n = int(self.headers.get("Content-Length") or 0)
            self.body = self.rfile.read(n) if n else b""
            self.request_id = str(uuid.uuid4())
            self._on_served = None   # the handler object lives as long as a keep-alive connection
            self.token_info = None
            auth = self.headers.get("Authorization", "")
            self.bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
            self.entry = {"time": time.time(), "method": self.command, "path": self.req_path,
                          "query": {k: ("<redacted>" if k.lower() in REDACT else v) for k, v in self.q.items()},
                          "publisher": self.qlower.get("publisheridentifier"), "auth": bool(auth)}

        def send(self, status, body=b"", ctype="application/json; charset=utf-8", headers=None, drop=False):
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
            elif isinstance(body, str):
                body = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("request-id", self.request_id)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.entry["status"] = status
            self.entry["bytes"] = len(body)
            if drop:
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.entry["dropped"] = True
                self.kill_connection()
                raise Dropped()
            self.wfile.write(body)

        def kill_connection(self):
            self.close_connection = True
            try:
                self.wfile.flush()
            except OSError:
                pass
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def dispatch(self):
            self.setup_request()
            try:
                self.route()
            except Dropped:
                pass
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            except Exception:  # a bug here: say so on stderr and answer 500
                import traceback
                traceback.print_exc()
                self.close_connection = True
                if "status" not in self.entry:
                    try:
                        self.send(500, {"error": {"code": "FakeServerBug", "message": "see fake_m365 stderr"}})
                    except OSError:
                        pass
            finally:
                with st.lock:
                    s = str(self.entry.get("status", "dropped"))
                    st.stats["status"][s] = st.stats["status"].get(s, 0) + 1
                    if not self.req_path.startswith("/_control"):
                        st.save()
                st.log(self.entry)

        def do_GET(self):
            self.dispatch()

        def do_POST(self):
            self.dispatch()

        def do_PUT(self):
            self.dispatch()

        def do_DELETE(self):
            self.dispatch()

        def do_PATCH(self):
            self.dispatch()

        # -- fault injection
        def count(self, family, key):
            with st.lock:
                st.stats["calls"][family] = st.stats["calls"].get(family, 0) + 1
                st.stats["calls_by_key"][key] = st.stats["calls_by_key"].get(key, 0) + 1
                n = st.counters[key] = st.counters.get(key, 0) + 1
                self.entry["key"], self.entry["call"] = key, n
                for rule in st.scenario["faults"]:
                    if not fnmatch.fnmatchcase(key, rule.get("match", "")):
                        continue
                    calls = rule.get("calls")
                    if rule.get("always") or (calls and n in calls) or (rule.get("every") and n % int(rule["every"]) == 0):
                        return rule
            return None

        def apply_fault(self, rule, api, key, blob_id=None):
            """Serves the fault; returns True when the request is answered (or the connection gone)."""
            typ = str(rule.get("type"))
            if typ == "delay":
                time.sleep(float(rule.get("seconds", 1)))
                return False
            with st.lock:
                st.stats["faults_served"] += 1
                st.stats["faults_by_type"][typ] = st.stats["faults_by_type"].get(typ, 0) + 1
                st.stats["faults"].append({"key": key, "call": self.entry.get("call"), "type": typ})
            self.entry["fault"] = typ
            hdr = {}
            if rule.get("retry_after") is not None:
                hdr["Retry-After"] = str(rule["retry_after"])
            pub = self.qlower.get("publisheridentifier", "")
            if typ == "reset":
                self.entry["status"] = 0
                self.kill_connection()
                raise Dropped()
            if typ == "drop":
                return False  # the normal answer is produced, then cut in half
            if typ == "429":
                hdr.setdefault("Retry-After", "1")
                body = graph_error("TooManyRequests", "Too many requests.", self.request_id) if api == "graph" else \
                    af("AF429", "Too many requests. Method=%s, PublisherId=%s" % (self.command, pub))
                self.send(429, body, headers=hdr)
            elif typ == "AF429":
                self.send(403, af("AF429", "Too many requests. Method=%s, PublisherId=%s" % (self.command, pub)),
                          headers=hdr)
            elif typ == "503":
                body = graph_error("serviceNotAvailable", "Service unavailable.", self.request_id) if api == "graph" \
                    else af("AF50000", "An internal error occurred. Retry the request.")
                self.send(503, body, headers=hdr)
            elif typ == "500":
                self.send(500, "<html><head><title>500 Internal Server Error</title></head><body>"
                               "<h1>Internal Server Error</h1></body></html>", ctype="text/html", headers=hdr)
            elif typ == "AF50000":
                self.send(int(rule.get("status", 500)), af("AF50000", "An internal error occurred. Retry the request."),
                          headers=hdr)
            elif typ in ("expired", "AF20051"):
                self.send(400, af("AF20051", "Content requested with the key %s has already expired. Content older "
                                             "than 7 days cannot be retrieved." % (blob_id or key)), headers=hdr)
            elif typ == "401":
                body = graph_error("InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.",
                                   self.request_id) if api == "graph" else \
                    {"Message": "Authorization has been denied for this request."}
                self.send(401, body, headers={"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'})
            elif typ == "status":
                body = rule.get("body", "")
                self.send(int(rule.get("status", 500)), body,
                          ctype="application/json; charset=utf-8" if isinstance(body, (dict, list)) else "text/plain",
                          headers={**hdr, **rule.get("headers", {})})
            else:
                self.send(500, af("AF50000", "fake_m365: unknown fault type %r" % typ))
            return True

        def serve(self, api, family, key, producer, blob_id=None):
            """Counts the call, applies a fault if one is due, else sends producer()'s (status, body, headers)."""
            rule = self.count(family, key)
            drop = False
            if rule:
                if self.apply_fault(rule, api, key, blob_id):
                    return
                drop = str(rule.get("type")) == "drop"
            status, body, hdr = producer()
            ctype = "application/json; charset=utf-8"
            if api == "graph" and status == 200:
                ctype = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
            # Journal before the body is written: a client may ask for the stats as soon as it has
            # read the body, before this thread would run again. A dropped answer is not served.
            if status == 200 and self._on_served and not drop:
                self._on_served()
            self.send(status, body, ctype=ctype, headers=hdr, drop=drop)

        # -- routing
        def route(self):
            p = self.req_path
            if p.startswith("/_control/"):
                return self.control(p[len("/_control/"):])
            m = re.fullmatch(r"/([^/]+)/oauth2/(v2\.0/)?token", p)
            if m:
                return self.token(m.group(1), bool(m.group(2)))
            if p.startswith("/v1.0/"):
                return self.graph(p[len("/v1.0/"):].strip("/"))
            m = re.fullmatch(r"/api/v1(?:\.0)?/([^/]+)/activity/feed/(.*)", p)
            if m:
                return self.manage(m.group(1), m.group(2))
            if p.startswith("/_blobs/"):
                return self.blob(p[len("/_blobs/"):])
            self.send(404, graph_error("UnknownError", "No route for %s" % p, self.request_id))

        # -- token endpoint
        def token(self, tenant, v2):
            sc = st.scenario
            self.entry["key"] = "token"

            def fail(status, err, code, msg):
                with st.lock:
                    st.stats["token_errors"] += 1
                self.send(status, aad_error(err, code, msg))
            if self.command != "POST":
                return fail(400, "invalid_request", 900561, "The endpoint only accepts POST requests. Received a %s request." % self.command)
            rule = self.count("token", "token")
            if rule and self.apply_fault(rule, "login", "token"):
                return
            drop = bool(rule) and str(rule.get("type")) == "drop"
            ctype = self.headers.get("Content-Type", "")
            if "application/x-www-form-urlencoded" not in ctype:
                return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
            form = {}
            for k, v in parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True):
                form.setdefault(k, v)
            t = sc["tenant"]
            if tenant not in [t["id"]] + t["domains"]:
                return fail(400, "invalid_request", 90002, "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud." % tenant)
            if form.get("grant_type") != "client_credentials":
                return fail(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'." % form.get("grant_type", ""))
            cid = form.get("client_id", "")
            if not cid:
                return fail(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
            if cid != sc["client"]["client_id"]:
                return fail(400, "unauthorized_client", 700016, "Application with identifier '%s' was not found in the directory '%s'." % (cid, tenant))
            # which resource
            if v2:
                scopes = form.get("scope", "").split()
                if len(scopes) != 1 or not scopes[0].endswith("/.default") or scopes[0][:-len("/.default")] not in RESOURCES:
                    return fail(400, "invalid_scope", 1002012, "The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)." % form.get("scope", ""))
                resource = scopes[0][:-len("/.default")]
            else:
                resource = form.get("resource", "").rstrip("/")
                if resource not in RESOURCES:
                    return fail(400, "invalid_resource", 500011, "The resource principal named %s was not found in the tenant named %s." % (resource, tenant))
            kind = RESOURCES[resource]
            # credentials
            if "client_assertion" in form or "client_assertion_type" in form:
                if form.get("client_assertion_type") != JWT_BEARER:
                    return fail(400, "invalid_request", 50027, "client_assertion_type must be %s." % JWT_BEARER)
                aud_ok = ["%s/%s/oauth2/%stoken" % (b, tenant, "v2.0/" if v2 else "")
                          for b in {st.base, "http://" + self.headers.get("Host", "")}]
                err = self.check_assertion(form.get("client_assertion", ""), cid, aud_ok)
                if err:
                    return fail(*err)
                grant = "client_assertion"
            elif "client_secret" in form:
                if form["client_secret"] != sc["client"].get("client_secret"):
                    return fail(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'." % cid)
                grant = "client_secret"
            else:
                return fail(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
            life = int(sc.get("token_lifetime", 3599))
            now = int(time.time())
            roles = sc["client"].get("roles", {}).get(kind) if isinstance(sc["client"].get("roles"), dict) else None
            if roles is None:
                roles = ["ActivityFeed.Read", "ServiceHealth.Read"] if kind == "manage" else \
                    ["User.Read.All", "Directory.Read.All", "AuditLog.Read.All", "Policy.Read.All",
                     "Reports.Read.All", "DeviceManagementConfiguration.Read.All", "RoleManagement.Read.Directory"]
            payload = {"aud": resource if resource.startswith("http") else "https://graph.microsoft.com",
                       "iss": "https://sts.windows.net/%s/" % t["id"], "iat": now, "nbf": now, "exp": now + life,
                       "appid": cid, "appidacr": "2" if grant == "client_assertion" else "1", "idtyp": "app",
                       "oid": str(uuid.uuid4()), "roles": roles, "tid": t["id"], "ver": "1.0",
                       "uti": b64url(secrets.token_bytes(16))}
            tok = ".".join([b64url(json.dumps({"typ": "JWT", "alg": "RS256", "x5t": "fake", "kid": "fake"}).encode()),
                            b64url(json.dumps(payload).encode()), b64url(secrets.token_bytes(64))])
            with st.lock:
                st.tokens[tok] = {"kind": kind, "resource": resource, "tenant": t["id"], "exp": now + life,
                                  "roles": roles}
                st.stats["tokens_issued"][kind] += 1
                st.stats["token_grants"][grant] = st.stats["token_grants"].get(grant, 0) + 1
            self.entry["grant"] = grant
            self.entry["resource"] = kind
            body = {"token_type": "Bearer", "expires_in": life, "ext_expires_in": life, "access_token": tok}
            if not v2:
                body = {"token_type": "Bearer", "expires_in": str(life), "ext_expires_in": str(life),
                        "expires_on": str(now + life), "not_before": str(now), "resource": resource,
                        "access_token": tok}
            self.send(200, body, headers={"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}, drop=drop)

        def check_assertion(self, jwt, cid, aud_ok):
            bad = (401, "invalid_client")
            parts = jwt.split(".")
            if len(parts) != 3:
                return bad + (50027, "JWT token is invalid or malformed.")
            try:
                header = json.loads(b64url_dec(parts[0]))
                claims = json.loads(b64url_dec(parts[1]))
                sig = b64url_dec(parts[2])
            except (ValueError, UnicodeDecodeError):
                return bad + (50027, "JWT token is invalid or malformed.")
            if header.get("alg") != "RS256":
                return bad + (5002738, "Invalid JWT token. '%s' is not a supported signature algorithm." % header.get("alg"))
            if not header.get("x5t"):
                return bad + (700027, "Client assertion failed signature validation. (no x5t in the JWT header)")
            aud = claims.get("aud")
            auds = aud if isinstance(aud, list) else [aud]
            if not any(a in aud_ok for a in auds):
                return bad + (700212, "The assertion audience %r is not the token endpoint (%s)." % (aud, aud_ok[0]))
            if claims.get("iss") != cid or claims.get("sub") != cid:
                return bad + (700021, "Client assertion application identifier doesn't match 'client_id' parameter (iss and sub must be the client id).")
            now = time.time()
            if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] <= now:
                return bad + (700024, "Client assertion is not within its valid time range. Current time: %s, assertion valid until %s." % (iso_z(dt.datetime.now(UTC)), claims.get("exp")))
            if isinstance(claims.get("nbf"), (int, float)) and claims["nbf"] > now + 300:
                return bad + (700024, "Client assertion is not within its valid time range (nbf in the future).")
            if not claims.get("jti"):
                return bad + (50027, "JWT token is invalid or malformed: no jti claim.")
            with st.lock:
                if claims["jti"] in st.jtis:
                    st.stats["assertion_replays"] += 1
                st.jtis.add(claims["jti"])
            pem = st.scenario["client"].get("certificate_pem") or st.scenario["client"].get("public_key_pem")
            if not pem:
                with st.lock:
                    st.stats["assertions_unverified"] += 1
                return None
            thumb = cert_x5t(pem)
            if thumb and header["x5t"] != thumb:
                return bad + (700027, "Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '%s']" % header["x5t"])
            if not verify_rs256(pem, (parts[0] + "." + parts[1]).encode(), sig):
                return bad + (700027, "Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]")
            return None

        # -- bearer checks
        def check_token(self, kind):
            """None when the bearer token is valid for kind; else (why, message)."""
            if not self.bearer:
                return ("missing", "Access token is empty.")
            with st.lock:
                info = st.tokens.get(self.bearer)
            if not info:
                return ("unknown", "Access token validation failure. Invalid token.")
            if info["exp"] <= time.time():
                return ("expired", "Lifetime validation failed, the token is expired.")
            if info["kind"] != kind:
                return ("audience", "Access token validation failure. Invalid audience.")
            self.token_info = info
            return None

        def unauthorized(self, api, why_msg):
            with st.lock:
                st.stats["unauthorized"] += 1
            self.entry["denied"] = why_msg[0]
            if api == "graph":
                body = graph_error("InvalidAuthenticationToken", why_msg[1], self.request_id)
                hdr = {"WWW-Authenticate": 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'}
            else:
                body = {"Message": "Authorization has been denied for this request."}
                hdr = {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'}
            self.send(401, body, headers=hdr)

        # -- Graph
        def graph(self, resource):
            err = self.check_token("graph")
            if err:
                return self.unauthorized("graph", err)
            if self.command != "GET":
                return self.send(405, graph_error("Request_BadRequest", "Only GET is supported by this fake.", self.request_id))
            key = "graph/" + resource
            data = st.graph.get(resource)
            if data is None:
                def nf():
                    seg = resource.split("/")[-1]
                    return 400, graph_error("BadRequest", "Resource not found for the segment '%s'." % seg, self.request_id), {}
                return self.serve("graph", "graph", key, nf)

            def produce():
                ctx = "%s/v1.0/$metadata#%s" % (st.base, resource)
                if isinstance(data, dict):
                    return 200, dict({"@odata.context": ctx + "/$entity"}, **data), {}
                sel = [s.strip() for s in self.q.get("$select", "").split(",") if s.strip()]
                exp = [s.strip().split("(")[0] for s in self.q.get("$expand", "").split(",") if s.strip()]
                if resource == "users":
                    unknown = [s for s in sel if s.lower() not in USER_PROPERTIES]
                    if unknown:
                        return 400, graph_error("BadRequest", "Could not find a property named '%s' on type 'microsoft.graph.user'." % unknown[0], self.request_id), {}
                page = int(st.scenario.get("graph_page_size", 10))
                if self.q.get("$top"):
                    try:
                        top = int(self.q["$top"])
                    except ValueError:
                        return 400, graph_error("BadRequest", "Invalid value for $top.", self.request_id), {}
                    page = max(1, min(page, top))
                off = 0
                if "$skiptoken" in self.q:
                    with st.lock:
                        pg = st.graph_pages.get(self.q["$skiptoken"])
                    if not pg or pg["resource"] != resource:
                        return 400, graph_error("Directory_InvalidSkipToken" if resource == "users" else "BadRequest",
                                                "Invalid $skiptoken.", self.request_id), {}
                    off = pg["offset"]
                items = []
                for it in data[off:off + page]:
                    if sel:
                        lower = {k.lower(): k for k in it}
                        o = {lower[s.lower()]: it[lower[s.lower()]] for s in sel if s.lower() in lower}
                        if "@odata.type" in it:
                            o = dict({"@odata.type": it["@odata.type"]}, **o)
                    elif resource == "users":
                        o = {k: it.get(k) for k in USER_DEFAULT}
                    else:
                        o = {k: v for k, v in it.items() if k != "members"}
                    for e in exp:
                        if e in it:
                            o[e] = it[e]
                    if not sel and not exp and resource in ("directoryRoles", "groups"):
                        o.pop("members", None)
                    items.append(o)
                body = {"@odata.context": ctx + ("(%s)" % ",".join(sel) if sel else ""), "value": items}
                if off + page < len(data):
                    tok = b64url(secrets.token_bytes(24))
                    with st.lock:
                        st.graph_pages[tok] = {"resource": resource, "offset": off + page}
                    params = [(k, v) for k, v in parse_qsl(self.raw_query, keep_blank_values=True) if k != "$skiptoken"]
                    params.append(("$skiptoken", tok))
                    body["@odata.nextLink"] = "%s/v1.0/%s?%s" % (
                        st.base, resource, "&".join("%s=%s" % (k, quote(v, safe=",()$*'/:")) for k, v in params))

                def served():
                    with st.lock:
                        st.stats["graph_items_served"][resource] = st.stats["graph_items_served"].get(resource, 0) + len(items)
                self._on_served = served
                return 200, body, {}
            self.serve("graph", "graph", key, produce)

        # -- Management Activity API
        def manage(self, tenant, op):
            sc = st.scenario
            pub = self.qlower.get("publisheridentifier")
            err = self.check_token("manage")
            if err:
                return self.unauthorized("manage", err)
            if sc.get("require_publisher", True) and (not pub or (sc.get("publisher_identifier") and pub != sc["publisher_identifier"])):
                with st.lock:
                    st.stats["missing_publisher"] += 1
                self.entry["denied"] = "publisher"
                return self.send(401, af("AF20001", "Missing parameter: PublisherIdentifier (fake_m365 requires it on every call)." if not pub
                                         else "PublisherIdentifier %s is not the one this scenario expects." % pub))
            with st.lock:
                if pub and pub not in st.stats["publisher_identifiers"]:
                    st.stats["publisher_identifiers"].append(pub)
            if tenant != sc["tenant"]["id"]:
                if not re.fullmatch(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", tenant):
                    return self.send(400, af("AF20013", "The tenant ID passed in the URL (%s) is not a valid GUID." % tenant))
                return self.send(401, af("AF20010", "The tenant ID passed in the URL (%s) does not match the tenant ID passed in the access token (%s)." % (tenant, self.token_info["tenant"])))
            if "ActivityFeed.Read" not in self.token_info.get("roles", []):
                return self.send(401, af("AF10001", "The permission set (%s) sent in the request did not include the expected permission ActivityFeed.Read." % " ".join(self.token_info.get("roles", []))))
            m = re.fullmatch(r"audit/(.+)", op)
            if m and self.command == "GET":
                return self.blob(m.group(1), checked=True)
            ops = {"subscriptions/start": "POST", "subscriptions/stop": "POST", "subscriptions/list": "GET",
                   "subscriptions/content": "GET"}
            if op not in ops:
                return self.send(404, af("AF20050", "The specified content (%s) does not exist." % op))
            if self.command != ops[op]:
                return self.send(405, {"Message": "The requested resource does not support http method '%s'." % self.command})
            ct = self.q.get("contentType")

            def need_ct():
                if not ct:
                    return 400, af("AF20001", "Missing parameter: contentType."), {}
                if ct not in CONTENT_TYPES:
                    return 400, af("AF20020", "The specified content type is not valid."), {}
                return None

            if op == "subscriptions/start":
                def start():
                    e = need_ct()
                    if e:
                        return e
                    with st.lock:
                        was = st.subscriptions.get(ct)
                        st.subscriptions[ct] = "enabled"
                    if was == "enabled" and sc.get("subscription_restart_error"):
                        return 400, af("AF20024", "The subscription is already enabled. No property change."), {}
                    return 200, {"contentType": ct, "status": "enabled", "webhook": None}, {}
                return self.serve("manage", op, op, start)
            if op == "subscriptions/stop":
                def stop():
                    e = need_ct()
                    if e:
                        return e
                    with st.lock:
                        if ct not in st.subscriptions:
                            return 400, af("AF20022", "No subscription found for the specified content type."), {}
                        st.subscriptions[ct] = "disabled"
                    return 200, b"", {}
                return self.serve("manage", op, op, stop)
            if op == "subscriptions/list":
                def lst():
                    with st.lock:
                        return 200, [{"contentType": c, "status": s, "webhook": None}
                                     for c, s in st.subscriptions.items()], {}
                return self.serve("manage", op, op, lst)
            return self.serve("manage", op, op, lambda: self.content(tenant, ct, need_ct))

        def content(self, tenant, ct, need_ct):
            sc = st.scenario
            e = need_ct()
            if e:
                return e
            with st.lock:
                sub = st.subscriptions.get(ct)
            if sub is None:
                return 400, af("AF20022", "No subscription found for the specified content type."), {}
            if sub != "enabled":
                return 400, af("AF20023", "The subscription was disabled by a tenant admin."), {}
            now = st.now()
            s_raw, e_raw = self.q.get("startTime"), self.q.get("endTime")
            msg = ("Start time and end time must both be specified (or both omitted) and must be less than or equal "
                   "to 24 hours apart, with the start time no more than 7 days in the past.")
            if (s_raw is None) != (e_raw is None):
                return 400, af("AF20030", msg), {}
            if s_raw is None:
                start, end = now - dt.timedelta(hours=24), now
                s_raw, e_raw = start.strftime("%Y-%m-%dT%H:%M:%S"), end.strftime("%Y-%m-%dT%H:%M:%S")
            else:
                start, end = parse_api_time(s_raw), parse_api_time(e_raw)
                if start is None or end is None:
                    return 400, af("AF20002", "Invalid parameter type: %s. Expected type: datetime" % (
                        "startTime" if start is None else "endTime")), {}
            nxt = self.q.get("nextPage")
            if end <= start or end - start > dt.timedelta(hours=24):
                return 400, af("AF20030", msg), {}
            if nxt is None and start < now - dt.timedelta(days=7):
                return 400, af("AF20030", msg), {}
            off = 0
            if nxt is not None:
                with st.lock:
                    pg = st.content_pages.get(nxt)
                if not pg or pg["ct"] != ct or pg["start"] != iso_z(start) or pg["end"] != iso_z(end):
                    return 400, af("AF20031", "Invalid nextPage Input: %s." % nxt), {}
                off = pg["offset"]
            lo7 = now - dt.timedelta(days=7)
            items = sorted((b for b in sc["blobs"] if b["contentType"] == ct and start <= b["_created"] < end
                            and b["_created"] <= now and b["_created"] >= lo7), key=lambda b: b["_created"])
            page = max(1, int(sc.get("content_page_size", 100)))
            out = [{"contentType": ct, "contentId": b["contentId"], "contentUri": "%s/_blobs/%s" % (st.base, b["contentId"]),
                    "contentCreated": iso_z(b["_created"], ms=True),
                    "contentExpiration": iso_z(b["_created"] + dt.timedelta(days=7), ms=True)}
                   for b in items[off:off + page]]
            hdr = {}
            if off + page < len(items):
                tok = "%sR%012d%06d" % (start.strftime("%Y%m%d%H"), random.randrange(10 ** 12), off + page)
                with st.lock:
                    st.content_pages[tok] = {"ct": ct, "start": iso_z(start), "end": iso_z(end), "offset": off + page}
                params = [("contentType", ct), ("startTime", s_raw), ("endTime", e_raw), ("nextPage", tok)]
                if sc.get("next_page_publisher") and self.qlower.get("publisheridentifier"):
                    params.append(("PublisherIdentifier", self.qlower["publisheridentifier"]))
                hdr["NextPageUri"] = "%s/api/v1/%s/activity/feed/subscriptions/content?%s" % (
                    st.base, tenant, urlencode(params, safe=":"))
            return 200, out, hdr

        # -- blobs
        def blob(self, cid, checked=False):
            if not checked:
                err = self.check_token("manage")
                if err:
                    return self.unauthorized("manage", err)
                pub = self.qlower.get("publisheridentifier")
                sc = st.scenario
                if sc.get("require_publisher", True) and (not pub or (sc.get("publisher_identifier") and pub != sc["publisher_identifier"])):
                    with st.lock:
                        st.stats["missing_publisher"] += 1
                    self.entry["denied"] = "publisher"
                    return self.send(401, af("AF20001", "Missing parameter: PublisherIdentifier (fake_m365 requires it on every call)."))
                if self.token_info["tenant"] != st.scenario["tenant"]["id"]:
                    return self.send(401, af("AF20010", "The tenant ID does not match the tenant ID passed in the access token."))
            b = st.blobs.get(cid)
            key = "blob/" + cid

            def produce():
                if b is None:
                    return 404, af("AF20050", "The specified content (%s) does not exist." % cid), {}
                if b.get("expired") or b["_created"] + dt.timedelta(days=7) <= st.now():
                    with st.lock:
                        st.stats["faults_by_type"]["expired"] = st.stats["faults_by_type"].get("expired", 0) + 1
                        st.stats["faults_served"] += 1
                        st.stats["faults"].append({"key": key, "call": self.entry.get("call"), "type": "expired"})
                    self.entry["fault"] = "expired"
                    return 400, af("AF20051", "Content requested with the key %s has already expired. Content older "
                                              "than 7 days cannot be retrieved." % cid), {}
                recs = b.get("records", [])

                def served():
                    with st.lock:
                        st.journal_served(cid, [r.get("Id") for r in recs if isinstance(r, dict)])
                self._on_served = served
                return 200, json.dumps(recs, separators=(",", ":")).encode(), {}
            self.serve("manage", "blob", key, produce, blob_id=cid)

        # -- control
        def control(self, what):
            self.entry["key"] = "control"

            def body_json():
                try:
                    return json.loads(self.body or b"{}")
                except ValueError:
                    self.send(400, {"error": "body is not JSON"})
                    return None
            if what == "health":
                return self.send(200, {"ok": True, "base": st.base})
            if what == "stats" and self.command == "GET":
                with st.lock:
                    return self.send(200, st.stats_json())
            if what == "scenario" and self.command == "GET":
                with st.lock:
                    return self.send(200, st.scenario_json())
            if self.command != "POST":
                return self.send(405, {"error": "use POST"})
            if what == "shutdown":
                self.send(200, {"ok": True})
                self.close_connection = True
                threading.Thread(target=server_ref[0].shutdown, daemon=True).start()
                return
            if what == "reset":
                with st.lock:
                    st.reset_stats()
                    st.counters = {}
                    if st.state_dir and os.path.exists(os.path.join(st.state_dir, "served.jsonl")):
                        os.unlink(os.path.join(st.state_dir, "served.jsonl"))
                    if self.q.get("subscriptions") == "1":
                        st.subscriptions = {}
                    st.save()
                return self.send(200, {"ok": True})
            if what == "revoke-tokens":
                with st.lock:
                    st.tokens = {}
                    st.save()
                return self.send(200, {"ok": True})
            if what == "expire-tokens":
                with st.lock:
                    for t in st.tokens.values():
                        t["exp"] = 0
                    st.save()
                return self.send(200, {"ok": True})
            data = body_json()
            if data is None:
                return
            with st.lock:
                if what == "scenario":
                    if self.q.get("merge") == "1":
                        merged = st.scenario_json()
                        merged.update(data)
                        data = merged
                    st.set_scenario(data)
                elif what == "faults":
                    st.scenario["faults"] = data if isinstance(data, list) else data.get("faults", [])
                    st.counters = {}
                    st.scenario_dirty = True
                elif what == "blobs":
                    st.scenario["blobs"].extend(data if isinstance(data, list) else data.get("blobs", []))
                    st.index_blobs()
                    st.scenario_dirty = True
                elif what == "subscriptions":
                    st.subscriptions = dict(data)
                else:
                    return self.send(404, {"error": "unknown control endpoint %s" % what})
                st.save()
            self.send(200, {"ok": True})
    return H


# ---------------------------------------------------------------- RS256 through openssl
def pem_blocks(pem, label):
    m = re.search(r"-----BEGIN %s-----(.+?)-----END %s-----" % (label, label), pem, re.S)
    return base64.b64decode("".join(m.group(1).split())) if m else None


def cert_x5t(pem):
    der = pem_blocks(pem, "CERTIFICATE")
    return b64url(hashlib.sha1(der).digest()) if der else None


def verify_rs256(pem, data, sig):
    with tempfile.TemporaryDirectory() as d:
        pub = os.path.join(d, "pub.pem")
        if "BEGIN CERTIFICATE" in pem:
            cert = os.path.join(d, "cert.pem")
            with open(cert, "w") as f:
                f.write(pem)
            r = subprocess.run(["openssl", "x509", "-in", cert, "-pubkey", "-noout", "-out", pub],
                               capture_output=True)
            if r.returncode:
                return False
        else:
            with open(pub, "w") as f:
                f.write(pem)
        with open(os.path.join(d, "data"), "wb") as f:
            f.write(data)
        with open(os.path.join(d, "sig"), "wb") as f:
            f.write(sig)
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub, "-signature", os.path.join(d, "sig"),
                            os.path.join(d, "data")], capture_output=True)
        return r.returncode == 0


# ---------------------------------------------------------------- main
class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], OSError):  # dropped connections are part of the job
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--state", help="directory: state.json is kept there (and reloaded at start), url written there")
    ap.add_argument("--scenario", help="scenario JSON file")
    ap.add_argument("--generate", type=int, metavar="N_BLOBS", help="generate a scenario with N_BLOBS blobs")
    ap.add_argument("--records-per-blob", type=int, default=20)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--no-faults", action="store_true", help="with --generate: no faults")
    ap.add_argument("--now", help="fixed clock for the APIs (ISO 8601), e.g. the tests' SECSCORE_NOW")
    ap.add_argument("--token-lifetime", type=int, help="expires_in of issued tokens (seconds)")
    ap.add_argument("--page-size", type=int, help="Graph page size")
    ap.add_argument("--content-page-size", type=int, help="content listing page size")
    ap.add_argument("--log", help="append one JSON line per request to this file")
    ap.add_argument("--dump-scenario", metavar="FILE", help="write the scenario (- for stdout) and exit")
    a = ap.parse_args()
    now = parse_time(a.now) if a.now else None
    if a.scenario:
        with open(a.scenario) as f:
            sc = json.load(f)
    elif a.generate is not None:
        sc = generate_scenario(a.generate, a.records_per_blob, a.seed, now, faults=not a.no_faults)
    else:
        sc = generate_scenario(8, 10, a.seed, now, faults=False)
    if a.now:
        sc["now"] = iso_z(now)
    for opt, key in ((a.token_lifetime, "token_lifetime"), (a.page_size, "graph_page_size"),
                     (a.content_page_size, "content_page_size")):
        if opt is not None:
            sc[key] = opt
    if a.dump_scenario:
        text = json.dumps(sc, indent=1)
        if a.dump_scenario == "-":
            print(text)
        else:
            with open(a.dump_scenario, "w") as f:
                f.write(text + "\n")
        return 0
    if a.state:
        os.makedirs(a.state, exist_ok=True)
    st = State(sc, a.state, a.log)
    if a.state:
        st.load(keep_scenario=bool(a.scenario or a.generate is not None))
    ref = [None]
    httpd = Server((a.host, a.port), make_handler(st, ref))
    ref[0] = httpd
    st.base = "http://%s:%d" % (a.host, httpd.server_address[1])
    if a.state:
        with open(os.path.join(a.state, "url"), "w") as f:
            f.write(st.base + "\n")
        st.save()
    sys.stdout.write("READY %s\n" % st.base)
    sys.stdout.flush()
    try:
        httpd.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
