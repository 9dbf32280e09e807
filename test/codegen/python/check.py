"""Python proof for the bundle, run by test/codegen/python.test.ts with
Debian's /usr/bin/python3 (it has python3-jsonschema).

1. Loads every sample body with the classes quicktype generated from the
   bundle (module synapse_types, found on MODULE_DIR): <type>_from_dict
   must accept it, and to_dict must give back every value it was given.
2. Validates every case with jsonschema's Draft 2020-12 validator against
   the schema the TypeScript side (ajv) used, resolving $refs inside the
   bundle, so the caller can compare the two verdicts.

Usage: check.py MODULE_DIR INPUT.json
INPUT.json: {"bundle": {...}, "samples": [{"id", "type", "instance"}],
             "cases": [{"id", "schema", "components"?, "instance"}]}
Prints one JSON object: {"samples": [{"id", "ok", "error"?}],
                         "cases": [{"id", "valid", "errors": [...]}]}
"""
import importlib
import json
import sys
import traceback

import jsonschema
from jsonschema import Draft202012Validator


def fail(message):
    print(f"check.py: {message}", file=sys.stderr)
    sys.exit(2)


def normalise(name):
    return name.replace("_", "").lower()


def loaders(module):
    """Type name (normalised) -> (from_dict, to_dict) functions of the generated module."""
    found = {}
    for attr in dir(module):
        if attr.endswith("_from_dict"):
            base = attr[: -len("_from_dict")]
            to = getattr(module, base + "_to_dict", None)
            found[normalise(base)] = (getattr(module, attr), to)
    return found


def is_empty(value):
    return value is None or value == [] or value == {}


def lost(want, got, at=""):
    """The first value of `want` that `got` lacks or changed; None when nothing was lost.
    A null or an empty list/object may come back absent or as null."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return None if is_empty(want) and got is None else f"{at or '/'}: an object became {got!r}"
        for key in sorted(want):
            if key not in got:
                if is_empty(want[key]):
                    continue
                return f"{at}/{key}: dropped"
            message = lost(want[key], got[key], f"{at}/{key}")
            if message:
                return message
        return None
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return None if want == [] and got is None else f"{at or '/'}: a list of {len(want)} became {got!r}"
        for i, (w, g) in enumerate(zip(want, got)):
            message = lost(w, g, f"{at}/{i}")
            if message:
                return message
        return None
    if want is None and got is None:
        return None
    # bool is an int in Python: compare types too.
    if type(want) is not type(got) and not (isinstance(want, (int, float)) and isinstance(got, (int, float)) and not isinstance(want, bool) and not isinstance(got, bool)):
        return f"{at or '/'}: {want!r} became {got!r}"
    return None if want == got else f"{at or '/'}: {want!r} became {got!r}"


def load_sample(funcs, sample):
    entry = funcs.get(normalise(sample["type"]))
    if entry is None:
        return {"id": sample["id"], "ok": False, "error": f"no generated loader for type {sample['type']}"}
    from_dict, to_dict = entry
    try:
        value = from_dict(sample["instance"])
    except Exception as err:  # the generated code asserts; any exception is a rejection
        kind = type(err).__name__
        where = traceback.extract_tb(err.__traceback__)[-1]
        return {"id": sample["id"], "ok": False, "error": f"load: {kind} {err} (in {where.name})".strip()}
    if to_dict is not None:
        message = lost(sample["instance"], to_dict(value))
        if message:
            return {"id": sample["id"], "ok": False, "error": f"round trip lost data at {message}"}
    return {"id": sample["id"], "ok": True}


def validate(bundle, case):
    # The case's schema refers into the bundle (#/components/...); for the
    # SQLite variant it brings its own, widened components.
    document = dict(bundle)
    if "components" in case:
        document = dict(bundle, components=dict(bundle.get("components", {}), schemas=case["components"]))
    resolver = jsonschema.RefResolver(base_uri="", referrer=document)
    validator = Draft202012Validator(case["schema"], resolver=resolver, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(
        ("/" + "/".join(str(p) for p in e.absolute_path), e.validator, e.message) for e in validator.iter_errors(case["instance"])
    )
    return {"id": case["id"], "valid": not errors, "errors": [f"{p} {k}: {m}" for p, k, m in errors][:5]}


def main():
    if len(sys.argv) != 3:
        fail("usage: check.py MODULE_DIR INPUT.json")
    module_dir, input_file = sys.argv[1], sys.argv[2]
    sys.path.insert(0, module_dir)
    try:
        module = importlib.import_module("synapse_types")
    except Exception as err:
        fail(f"cannot import the generated module: {type(err).__name__}: {err}")
    try:
        with open(input_file, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as err:
        fail(f"cannot read {input_file}: {err}")
    funcs = loaders(module)
    out = {
        "samples": [load_sample(funcs, s) for s in data["samples"]],
        "cases": [validate(data["bundle"], c) for c in data["cases"]],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
