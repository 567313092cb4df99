"""A small SOQL subset over the emulator's records, with Salesforce's query errors.

Accepted: ``SELECT f1, f2 | COUNT() FROM Account|Contact [WHERE f = value [AND ...]]
[ORDER BY f [ASC|DESC]] [LIMIT n] [OFFSET n]``; values are 'strings', numbers, true, false or
null, compared with ``=`` or ``!=`` (strings case-insensitively, as SOQL does). Anything else is
MALFORMED_QUERY; an unknown object is INVALID_TYPE and an unknown field INVALID_FIELD, each
with Salesforce's message layout (the query, a caret, "ERROR at Row:1:Column:N").
Reference: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm
and https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .records import ROWS, SOBJECTS, Field, SObjectType

TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\(\))?)|(?P<op>!=|=|,)|(?P<other>\S))"
)
KEYWORDS = {"select", "from", "where", "and", "order", "by", "asc", "desc", "limit", "offset"}
MAX_OFFSET = 2000


class QueryError(Exception):
    """A refused query: ``code`` is Salesforce's errorCode (MALFORMED_QUERY, INVALID_TYPE,
    INVALID_FIELD), ``message`` its message text."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    column: int  # 1-based, as Salesforce counts

    @property
    def word(self) -> str:
        return self.text.casefold() if self.kind == "name" else ""


@dataclass
class Query:
    sobject: SObjectType
    fields: list[Field]  # empty for COUNT()
    conditions: list[tuple[Field, str, Any]] = field(default_factory=list)
    order_by: tuple[Field, bool] | None = None  # (field, descending)
    limit: int | None = None
    offset: int = 0

    def run(self) -> list[dict[str, Any]]:
        """The matching rows (every field), ordered, then offset and limit applied."""
        rows = [row for row in ROWS[self.sobject.name] if self._matches(row)]
        if self.order_by:
            key, descending = self.order_by
            rows.sort(key=lambda row: row[key.name], reverse=descending)
        rows = rows[self.offset :]
        return rows if self.limit is None else rows[: self.limit]

    def _matches(self, row: dict[str, Any]) -> bool:
        for field_, op, value in self.conditions:
            actual = row[field_.name]
            equal = (
                actual.casefold() == value.casefold()
                if isinstance(actual, str) and isinstance(value, str)
                else actual == value
            )
            if equal != (op == "="):
                return False
        return True


def _tokens(soql: str) -> list[Token]:
    tokens, position = [], 0
    while position < len(soql):
        match = TOKEN.match(soql, position)
        if match is None:  # only trailing whitespace is left
            break
        kind = match.lastgroup or "other"
        tokens.append(Token(kind, match.group(kind), match.start(kind) + 1))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, soql: str) -> None:
        self.soql = soql
        self.tokens = _tokens(soql)
        self.position = 0

    def error(self, code: str, text: str, token: Token | None = None) -> QueryError:
        column = token.column if token else len(self.soql.rstrip()) + 1
        caret = " " * (column - 1) + "^"
        return QueryError(code, f"\n{self.soql}\n{caret}\nERROR at Row:1:Column:{column}\n{text}")

    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise self.error("MALFORMED_QUERY", "unexpected token: <EOF>")
        self.position += 1
        return token

    def unexpected(self, token: Token) -> QueryError:
        return self.error("MALFORMED_QUERY", f"unexpected token: '{token.text}'", token)

    def keyword(self, word: str) -> None:
        token = self.take()
        if token.word != word:
            raise self.unexpected(token)

    def at(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token.word == word

    def name(self) -> Token:
        token = self.take()
        if token.kind != "name" or token.word in KEYWORDS or token.text.endswith("()"):
            raise self.unexpected(token)
        return token

    def integer(self) -> int:
        token = self.take()
        if token.kind != "number" or not token.text.isdigit():
            raise self.unexpected(token)
        return int(token.text)

    def value(self) -> Any:
        token = self.take()
        if token.kind == "string":
            return re.sub(r"\\(.)", r"\1", token.text[1:-1])
        if token.kind == "number":
            return float(token.text) if "." in token.text else int(token.text)
        literals = {"true": True, "false": False, "null": None}
        if token.word in literals:
            return literals[token.word]
        raise self.unexpected(token)

    def parse(self) -> Query:
        self.keyword("select")
        selected = self._select_list()
        self.keyword("from")
        object_token = self.name()
        sobject = SOBJECTS.get(object_token.word)
        if sobject is None:
            raise self.error(
                "INVALID_TYPE",
                f"sObject type '{object_token.text}' is not supported. If you are attempting to "
                "use a custom object, be sure to append the '__c' after the entity name. Please "
                "reference your WSDL or the describe call for the appropriate names.",
                object_token,
            )
        query = Query(sobject, [] if selected is None else self._fields(sobject, selected))
        if self.at("where"):
            self.take()
            query.conditions.append(self._condition(sobject))
            while self.at("and"):
                self.take()
                query.conditions.append(self._condition(sobject))
        if self.at("order"):
            self.take()
            self.keyword("by")
            order_field = self._field(sobject, self.name())
            descending = self.at("desc")
            if descending or self.at("asc"):
                self.take()
            query.order_by = (order_field, descending)
        if self.at("limit"):
            self.take()
            query.limit = self.integer()
        if self.at("offset"):
            self.take()
            token = self.peek()
            query.offset = self.integer()
            if query.offset > MAX_OFFSET:
                raise self.error(
                    "NUMBER_OUTSIDE_VALID_RANGE",
                    f"Maximum SOQL offset allowed is {MAX_OFFSET}",
                    token,
                )
        extra = self.peek()
        if extra is not None:
            raise self.unexpected(extra)
        return query

    def _select_list(self) -> list[Token] | None:
        """The selected field tokens, or None for ``COUNT()``."""
        first = self.peek()
        if first is not None and first.text.casefold() == "count()":
            self.take()
            return None
        names = [self.name()]
        while self.peek() is not None and self.peek().text == ",":
            self.take()
            names.append(self.name())
        return names

    def _field(self, sobject: SObjectType, token: Token) -> Field:
        found = sobject.field(token.text)
        if found is None:
            raise self.error(
                "INVALID_FIELD",
                f"No such column '{token.text}' on entity '{sobject.name}'. If you are attempting "
                "to use a custom field, be sure to append the '__c' after the custom field name. "
                "Please reference your WSDL or the describe call for the appropriate names.",
                token,
            )
        return found

    def _fields(self, sobject: SObjectType, tokens: list[Token]) -> list[Field]:
        fields: list[Field] = []
        for token in tokens:
            found = self._field(sobject, token)
            if found in fields:
                raise self.error(
                    "DUPLICATE_FIELD", f"duplicate field selected: {found.name}", token
                )
            fields.append(found)
        return fields

    def _condition(self, sobject: SObjectType) -> tuple[Field, str, Any]:
        field_ = self._field(sobject, self.name())
        operator = self.take()
        if operator.text not in ("=", "!="):
            raise self.unexpected(operator)
        return field_, operator.text, self.value()


def parse(soql: str) -> Query:
    """The parsed query; raises QueryError with Salesforce's error code and message."""
    if not soql.strip():
        raise QueryError("MALFORMED_QUERY", "A query string has to be specified")
    return _Parser(soql).parse()
