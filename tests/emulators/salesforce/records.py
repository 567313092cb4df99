"""The emulator's deterministic sObject data: Accounts and Contacts, with describe metadata.

Every org sees the same records, so a test can assert exact query results. Field types and the
shapes of describe and describeGlobal follow
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
and https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_describeGlobal.htm
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ACCOUNTS = 25
CONTACTS_PER_ACCOUNT = 2
INDUSTRIES = ["Technology", "Banking", "Retail", "Energy", "Healthcare"]
CITIES = [("Amsterdam", "Netherlands"), ("Lyon", "France"), ("Austin", "United States")]
FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken"]
LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"]
CREATED = "2026-01-01T09:00:00.000+0000"

TEXT_LENGTHS = {"id": 18, "reference": 18, "string": 255, "picklist": 255, "email": 80}
# Salesforce's field type -> SOAP type, as describe reports it.
SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "string": "xsd:string",
    "picklist": "xsd:string",
    "email": "xsd:string",
    "int": "xsd:int",
    "currency": "xsd:double",
    "boolean": "xsd:boolean",
    "datetime": "xsd:dateTime",
}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str
    reference_to: str | None = None

    def describe(self) -> dict[str, Any]:
        system = self.name in ("Id", "CreatedDate", "LastModifiedDate", "IsDeleted", "Name")
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "soapType": SOAP_TYPES[self.type],
            "length": TEXT_LENGTHS.get(self.type, 0),
            "custom": False,
            "nillable": self.name not in ("Id", "Name", "LastName", "IsDeleted"),
            "createable": not system,
            "updateable": not system,
            "filterable": True,
            "sortable": self.type != "boolean",
            "unique": self.name == "Id",
            "idLookup": self.name == "Id",
            "referenceTo": [self.reference_to] if self.reference_to else [],
            "relationshipName": self.name.removesuffix("Id") if self.reference_to else None,
        }


@dataclass(frozen=True)
class SObjectType:
    name: str
    label: str
    label_plural: str
    key_prefix: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field | None:
        """The field called ``name``, case-insensitively, as SOQL matches names."""
        wanted = name.casefold()
        return next((field for field in self.fields if field.name.casefold() == wanted), None)

    def urls(self, version: str) -> dict[str, str]:
        base = f"/services/data/{version}/sobjects/{self.name}"
        return {
            "sobject": base,
            "describe": f"{base}/describe",
            "rowTemplate": f"{base}/{{ID}}",
        }

    def summary(self, version: str) -> dict[str, Any]:
        """This type's entry in describeGlobal (``GET /sobjects/``)."""
        return {
            "name": self.name,
            "label": self.label,
            "labelPlural": self.label_plural,
            "keyPrefix": self.key_prefix,
            "custom": False,
            "customSetting": False,
            "activateable": False,
            "createable": True,
            "deletable": True,
            "updateable": True,
            "queryable": True,
            "retrieveable": True,
            "searchable": True,
            "layoutable": True,
            "mergeable": True,
            "replicateable": True,
            "triggerable": True,
            "undeletable": True,
            "feedEnabled": True,
            "mruEnabled": True,
            "hasSubtypes": False,
            "isSubtype": False,
            "deprecatedAndHidden": False,
            "urls": self.urls(version),
        }

    def describe(self, version: str) -> dict[str, Any]:
        """``GET /sobjects/<name>/describe``: the summary plus fields and relationships."""
        return {
            **self.summary(version),
            "fields": [field.describe() for field in self.fields],
            "childRelationships": [],
            "recordTypeInfos": [],
            "supportedScopes": [{"label": "All " + self.label_plural, "name": "everything"}],
        }


def _common(label: str) -> tuple[Field, ...]:
    return (
        Field("Id", f"{label} ID", "id"),
        Field("IsDeleted", "Deleted", "boolean"),
    )


def _audit() -> tuple[Field, ...]:
    return (
        Field("CreatedDate", "Created Date", "datetime"),
        Field("LastModifiedDate", "Last Modified Date", "datetime"),
    )


ACCOUNT = SObjectType(
    "Account",
    "Account",
    "Accounts",
    "001",
    (
        *_common("Account"),
        Field("Name", "Account Name", "string"),
        Field("Industry", "Industry", "picklist"),
        Field("BillingCity", "Billing City", "string"),
        Field("BillingCountry", "Billing Country", "string"),
        Field("NumberOfEmployees", "Employees", "int"),
        Field("AnnualRevenue", "Annual Revenue", "currency"),
        *_audit(),
    ),
)
CONTACT = SObjectType(
    "Contact",
    "Contact",
    "Contacts",
    "003",
    (
        *_common("Contact"),
        Field("FirstName", "First Name", "string"),
        Field("LastName", "Last Name", "string"),
        Field("Name", "Full Name", "string"),
        Field("Email", "Email", "email"),
        Field("Title", "Title", "string"),
        Field("AccountId", "Account ID", "reference", reference_to="Account"),
        *_audit(),
    ),
)
SOBJECTS = {sobject.name.casefold(): sobject for sobject in (ACCOUNT, CONTACT)}


def record_id(sobject: SObjectType, number: int) -> str:
    """An 18-character ID with the type's key prefix, e.g. ``001000000000001AAA``."""
    return f"{sobject.key_prefix}{number:012d}AAA"


def _accounts() -> list[dict[str, Any]]:
    rows = []
    for number in range(1, ACCOUNTS + 1):
        city, country = CITIES[number % len(CITIES)]
        rows.append(
            {
                "Id": record_id(ACCOUNT, number),
                "IsDeleted": False,
                "Name": f"Account {number:02d}",
                "Industry": INDUSTRIES[number % len(INDUSTRIES)],
                "BillingCity": city,
                "BillingCountry": country,
                "NumberOfEmployees": number * 10,
                "AnnualRevenue": number * 100000.0,
                "CreatedDate": CREATED,
                "LastModifiedDate": CREATED,
            }
        )
    return rows


def _contacts() -> list[dict[str, Any]]:
    rows = []
    for number in range(1, ACCOUNTS * CONTACTS_PER_ACCOUNT + 1):
        first = FIRST_NAMES[number % len(FIRST_NAMES)]
        last = LAST_NAMES[(number // len(FIRST_NAMES)) % len(LAST_NAMES)]
        account = (number - 1) // CONTACTS_PER_ACCOUNT + 1
        rows.append(
            {
                "Id": record_id(CONTACT, number),
                "IsDeleted": False,
                "FirstName": first,
                "LastName": last,
                "Name": f"{first} {last}",
                "Email": f"{first}.{last}{number}@example.com".lower(),
                "Title": "Engineer" if number % 2 else "Manager",
                "AccountId": record_id(ACCOUNT, account),
                "CreatedDate": CREATED,
                "LastModifiedDate": CREATED,
            }
        )
    return rows


ROWS = {"Account": _accounts(), "Contact": _contacts()}
