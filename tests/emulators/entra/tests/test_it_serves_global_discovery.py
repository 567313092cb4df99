from tests.emulators.entra import DEMO_TENANT_ID
from tests.emulators.entra.tests.helpers import connect, instances, refresh

INSTANCE_FIELDS = {
    "Id",
    "UniqueName",
    "UrlName",
    "FriendlyName",
    "State",
    "Version",
    "Url",
    "ApiUrl",
    "LastUpdated",
    "EnvironmentId",
    "TenantId",
    "Region",
    "Purpose",
    "OrganizationType",
    "IsUserSysAdmin",
    "TrialExpirationDate",
}


def discovery_token(emu, username=None) -> str:
    rt = connect(emu, username)["refresh_token"]
    return refresh(emu, rt, resource=emu.discovery_url).json()["access_token"]


def test_it_lists_the_environments_the_user_is_enabled_in(entra_emulator):
    emu = entra_emulator

    body = instances(emu, discovery_token(emu)).json()

    assert body["@odata.context"].endswith("/api/discovery/v2.0/$metadata#Instances")
    assert [i["UniqueName"] for i in body["value"]] == ["orgkeeper-demo", "orgkeeper-sandbox"]
    first = body["value"][0]
    assert set(first) == INSTANCE_FIELDS
    assert first["Url"] == first["ApiUrl"] == emu.environment_url("orgkeeper-demo")
    assert first["Id"] == emu.environments[0].organization_id
    assert first["TenantId"] == DEMO_TENANT_ID


def test_it_leaves_out_an_environment_where_the_user_is_disabled_or_absent(entra_emulator):
    emu = entra_emulator
    token = discovery_token(emu)
    emu.provision("orgkeeper-demo", emu.demo_user, enabled=False)

    listed = [i["UniqueName"] for i in instances(emu, token).json()["value"]]

    assert listed == ["orgkeeper-sandbox"]
    emu.unprovision("orgkeeper-sandbox", emu.demo_user)
    assert instances(emu, token).json()["value"] == []


def test_it_lists_only_the_admins_environment(entra_emulator):
    emu = entra_emulator

    body = instances(emu, discovery_token(emu, emu.demo_admin.username)).json()

    assert [(i["UniqueName"], i["IsUserSysAdmin"]) for i in body["value"]] == [
        ("orgkeeper-demo", True)
    ]


def test_it_finds_one_instance_by_unique_name(entra_emulator):
    emu = entra_emulator
    token = discovery_token(emu)

    found = instances(emu, token, "Instances(UniqueName='orgkeeper-sandbox')")
    missing = instances(emu, token, "Instances(UniqueName='nosuch')")

    assert found.status_code == 200
    assert found.json()["Url"] == emu.environment_url("orgkeeper-sandbox")
    assert missing.status_code == 404
