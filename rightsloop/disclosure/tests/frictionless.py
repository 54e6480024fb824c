"""A check of a data package against the Frictionless Data Package v1 specifications' required keys and rules
(https://specs.frictionlessdata.io/data-package/, tabular-data-resource/, table-schema/, csv-dialect/), and of its
CSV files against their schemas: written here so the suite needs no new dependency."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable

NAME = re.compile(r"^[a-z0-9._-]+$")
RESOURCE_NAME = re.compile(r"^[-a-z0-9._/]+$")
FIELD_TYPES = {"string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime", "year",
               "yearmonth", "duration", "geopoint", "geojson", "any"}
CONSTRAINTS = {"required", "unique", "minLength", "maxLength", "minimum", "maximum", "pattern", "enum"}
DIALECT = {"delimiter", "lineTerminator", "quoteChar", "doubleQuote", "escapeChar", "nullSequence",
           "skipInitialSpace", "header", "commentChar", "caseSensitiveHeader", "csvddfVersion"}
MEDIATYPE = re.compile(r"^[a-z]+/[-+.a-z0-9]+$")


def package_problems(package: dict, read: Callable[[str], bytes]) -> list[str]:
    """What breaks the specifications in the descriptor and in each CSV it lists (`read(path)` gives a file)."""
    problems: list[str] = []
    if not isinstance(package, dict):
        return ["the descriptor is not a JSON object"]
    if "name" in package and not (isinstance(package["name"], str) and NAME.match(package["name"])):
        problems.append(f"package name {package.get('name')!r} is not lower-case letters, digits, '.', '-', '_'")
    if package.get("profile") not in (None, "data-package", "tabular-data-package"):
        problems.append(f"unknown package profile {package.get('profile')!r}")
    for licence in package.get("licenses", []):
        if not isinstance(licence, dict) or not (licence.get("name") or licence.get("path")):
            problems.append(f"a licence needs a name or a path: {licence!r}")
    if "created" in package:
        try:
            datetime.datetime.fromisoformat(package["created"].replace("Z", "+00:00"))
        except (AttributeError, ValueError):
            problems.append(f"created {package['created']!r} is not an RFC 3339 date-time")
        if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", str(package["created"])):
            problems.append(f"created {package['created']!r} is not an RFC 3339 date-time")
    resources = package.get("resources")
    if not isinstance(resources, list) or not resources:
        return [*problems, "resources must be a non-empty array"]
    names = [resource.get("name") for resource in resources]
    if len(set(names)) != len(names):
        problems.append("resource names are not unique")
    for resource in resources:
        problems += [f"{resource.get('name')}: {problem}" for problem in _resource_problems(resource, read)]
    return problems


def _resource_problems(resource: dict, read: Callable[[str], bytes]) -> list[str]:
    problems = []
    name = resource.get("name")
    if not isinstance(name, str) or not RESOURCE_NAME.match(name):
        problems.append(f"name {name!r} is missing or not lower-case letters, digits, '.', '-', '_', '/'")
    has_path, has_data = "path" in resource, "data" in resource
    if has_path == has_data:
        return [*problems, "exactly one of path and data is required"]
    paths = resource["path"] if isinstance(resource.get("path"), list) else [resource.get("path")]
    for path in paths:
        if not isinstance(path, str) or not path or path.startswith("/") or ".." in path.split("/"):
            problems.append(f"path {path!r} is not a relative POSIX path inside the package")
    if "mediatype" in resource and not MEDIATYPE.match(str(resource["mediatype"])):
        problems.append(f"mediatype {resource['mediatype']!r} is not a IANA media type")
    if resource.get("profile") == "tabular-data-resource" or "schema" in resource:
        problems += _schema_problems(resource.get("schema"))
    if resource.get("format") == "csv" and not problems and has_path:
        problems += _csv_problems(resource, b"".join(read(path) for path in paths))
    for key in resource.get("dialect", {}):
        if key not in DIALECT:
            problems.append(f"unknown dialect property {key!r}")
    return problems


def _schema_problems(schema) -> list[str]:
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
        return ["a tabular data resource needs a schema with fields"]
    problems = []
    names = [field.get("name") for field in schema["fields"]]
    if any(not isinstance(name, str) or not name for name in names) or len(set(names)) != len(names):
        problems.append("every field needs a name, each name once")
    for field in schema["fields"]:
        pattern = field.get("constraints", {}).get("pattern", "")
        if pattern.startswith("^") or pattern.endswith("$"):
            problems.append(f"field {field.get('name')!r}: an XML Schema pattern has no ^ or $ anchors")
        if field.get("type", "string") not in FIELD_TYPES:
            problems.append(f"field {field.get('name')!r} has an unknown type {field.get('type')!r}")
        unknown = set(field.get("constraints", {})) - CONSTRAINTS
        if unknown:
            problems.append(f"field {field.get('name')!r} has unknown constraints {sorted(unknown)}")
    missing = schema.get("missingValues", [""])
    if not isinstance(missing, list) or not all(isinstance(value, str) for value in missing):
        problems.append("missingValues must be an array of strings")
    key = schema.get("primaryKey", [])
    for part in [key] if isinstance(key, str) else key:
        if part not in names:
            problems.append(f"primary key {part!r} is not a field")
    return problems


def _csv_problems(resource: dict, content: bytes) -> list[str]:
    schema = resource["schema"]
    fields = schema["fields"]
    missing = set(schema.get("missingValues", [""]))
    dialect = resource.get("dialect", {})
    rows = list(csv.reader(io.StringIO(content.decode(resource.get("encoding", "utf-8"))),
                           delimiter=dialect.get("delimiter", ",")))
    if dialect.get("header", True):
        header, rows = (rows[0] if rows else []), rows[1:]
        if header != [field["name"] for field in fields]:
            return [f"the header {header} is not the schema's fields"]
    problems, seen = [], set()
    key = schema.get("primaryKey", [])
    key = [key] if isinstance(key, str) else key
    for number, row in enumerate(rows, start=2):
        if len(row) != len(fields):
            problems.append(f"line {number} has {len(row)} values for {len(fields)} fields")
            continue
        values = dict(zip([field["name"] for field in fields], row, strict=True))
        for field in fields:
            problems += [f"line {number}: {problem}" for problem in _value_problems(field, values[field["name"]],
                                                                                     missing)]
        identity = tuple(values[part] for part in key)
        if key and identity in seen:
            problems.append(f"line {number}: primary key {identity} comes twice")
        seen.add(identity)
    return problems


def _value_problems(field: dict, value: str, missing: set[str]) -> list[str]:
    constraints = field.get("constraints", {})
    name = field["name"]
    if value in missing:
        return [f"{name} is required"] if constraints.get("required") else []
    if field.get("type") == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            return [f"{name} {value!r} is not an integer"]
        if "minimum" in constraints and int(value) < constraints["minimum"]:
            return [f"{name} {value} is under {constraints['minimum']}"]
    # XML Schema patterns match the whole value; they have no ^ or $ anchors.
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], value):
        return [f"{name} {value!r} does not match {constraints['pattern']}"]
    if "enum" in constraints and value not in constraints["enum"]:
        return [f"{name} {value!r} is not one of {constraints['enum']}"]
    return []
