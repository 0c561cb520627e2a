#!/usr/bin/env python3
"""Compares two cloud assemblies (cdk.out directories) synthesized from the same app in different
languages, and exits non-zero when they differ in anything the library decides.

    python3 compare.py EXPECTED_DIR ACTUAL_DIR [--labels typescript,python] [--max-diffs 40]

What must be equal, after normalization:

- the set of stacks, their environments and their dependencies;
- per stack: resource logical ids and types, then every resource's properties (key policies,
  IAM policies, roles, aliases, replicas ...), DeletionPolicy, UpdateReplacePolicy, DependsOn,
  Condition, and the template's Outputs, Conditions, Parameters and Rules;
- the library's annotations: warnings, errors, infos and acknowledged rules, by construct path;
- key-access-report.json, when both assemblies have one.

Normalization drops what depends on the language or the aws-cdk-lib build rather than on the app:
resource Metadata (aws:cdk:path, aws:asset:*), the AWS::CDK::Metadata resource and its condition,
creation stacks, S3Key of assets, and any 64-hex asset hash inside a string.

Policies are compared as IAM reads them: the values of Principal, Action, NotAction, Resource,
NotResource and of each condition key are sets, so their order does not count (nor does the order
of principals in key-access-report.json). Differences of order only are printed as notes; with
--strict-order they fail the comparison too.

Standard library only (Python >= 3.8).
"""
import argparse
import json
import os
import re
import sys

HASH = re.compile(r"\b[0-9a-f]{64}\b")
MESSAGE_TYPES = ("aws:cdk:warning", "aws:cdk:error", "aws:cdk:info", "aws:cdk:acknowledged-rules")
RESOURCE_FIELDS = ("Properties", "DeletionPolicy", "UpdateReplacePolicy", "DependsOn", "Condition", "UpdatePolicy", "CreationPolicy")
TEMPLATE_SECTIONS = ("Outputs", "Conditions", "Parameters", "Rules", "Mappings", "Transform")


class AssemblyError(Exception):
    pass


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def scrub(value):
    """Replaces asset hashes in strings and drops S3Key, recursively."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if k != "S3Key"}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return HASH.sub("<asset-hash>", value)
    return value


SET_VALUED = ("Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource")


def as_set(value):
    """A list as IAM reads it: a set, here sorted by its canonical JSON."""
    if isinstance(value, list):
        return sorted(value, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def canonical_statement(statement):
    result = dict(statement)
    for field in SET_VALUED:
        value = result.get(field)
        if field in ("Principal", "NotPrincipal") and isinstance(value, dict):
            result[field] = {k: as_set(v) for k, v in value.items()}
        elif field in result:
            result[field] = as_set(value)  # lists only: an intrinsic ({"Fn::GetAtt": ...}) stays as it is
    condition = result.get("Condition")
    if isinstance(condition, dict):
        result["Condition"] = {
            op: {k: as_set(v) for k, v in pairs.items()} if isinstance(pairs, dict) else pairs
            for op, pairs in condition.items()
        }
    return result


def canonical(value):
    """Every policy document inside `value` with its set-valued fields in a canonical order."""
    if isinstance(value, dict):
        result = {k: canonical(v) for k, v in value.items()}
        if "Effect" in result and ("Action" in result or "NotAction" in result):
            result = canonical_statement(result)
        for field in ("principals", "principalArns"):
            if isinstance(result.get(field), list):
                result[field] = as_set(result[field])
        return result
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def normalize_template(template):
    resources = {}
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") == "AWS::CDK::Metadata":
            continue
        kept = {"Type": resource.get("Type")}
        for field in RESOURCE_FIELDS:
            if field in resource:
                kept[field] = scrub(resource[field])
        resources[logical_id] = kept
    sections = {}
    for section in TEMPLATE_SECTIONS:
        if section in template:
            body = scrub(template[section])
            if section == "Conditions" and isinstance(body, dict):
                body.pop("CDKMetadataAvailable", None)
            sections[section] = body
    return resources, sections


def read_assembly(outdir):
    manifest_file = os.path.join(outdir, "manifest.json")
    if not os.path.isfile(manifest_file):
        raise AssemblyError(f"{outdir}: no manifest.json (not a cloud assembly)")
    manifest = load_json(manifest_file)
    stacks = {}
    for name, artifact in (manifest.get("artifacts") or {}).items():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        props = artifact.get("properties") or {}
        template = load_json(os.path.join(outdir, props["templateFile"]))
        metadata = dict(artifact.get("metadata") or {})
        if artifact.get("additionalMetadataFile"):
            for path, entries in load_json(os.path.join(outdir, artifact["additionalMetadataFile"])).items():
                metadata.setdefault(path, []).extend(entries)
        messages = sorted(
            {
                (path, entry["type"], json.dumps(scrub(entry.get("data")), sort_keys=True))
                for path, entries in metadata.items()
                for entry in entries
                if entry.get("type") in MESSAGE_TYPES
            }
        )
        resources, sections = normalize_template(template)
        stacks[name] = {
            "environment": artifact.get("environment"),
            "dependencies": sorted(d for d in artifact.get("dependencies") or [] if not d.endswith(".assets")),
            "resources": resources,
            "sections": sections,
            "messages": messages,
        }
    report_file = os.path.join(outdir, "key-access-report.json")
    report = scrub(load_json(report_file)) if os.path.isfile(report_file) else None
    return stacks, report


def short(value, limit=160):
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def diff_values(a, b, path, out):
    """Appends (path, a, b) for every difference between two JSON values."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in a:
                out.append((sub, "<absent>", b[key]))
            elif key not in b:
                out.append((sub, a[key], "<absent>"))
            else:
                diff_values(a[key], b[key], sub, out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append((f"{path} (length)", len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            diff_values(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append((path, a, b))


def order_diffs(a, b, path, out):
    """Appends (path, a, b) for every list that differs from its counterpart by order only."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) & set(b), key=str):
            order_diffs(a[key], b[key], f"{path}.{key}" if path else str(key), out)
    elif isinstance(a, list) and isinstance(b, list) and a != b and len(a) == len(b):
        if canonical(a) == canonical(b):
            for i, (x, y) in enumerate(zip(a, b)):
                order_diffs(x, y, f"{path}[{i}]", out)
        elif canonical(as_set(a)) == canonical(as_set(b)):
            out.append((path, a, b))


def kind_of(resource_type, path):
    """Names what a difference touches, so the reader sees at once whether a policy differs."""
    if resource_type in ("AWS::KMS::Key", "AWS::KMS::ReplicaKey") and ".KeyPolicy" in path:
        return "key policy"
    if resource_type in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and "PolicyDocument" in path:
        return "IAM policy"
    if resource_type == "AWS::IAM::Role":
        return "IAM role"
    return "property"


def compare(expected_dir, actual_dir, labels=("expected", "actual")):
    """Returns (problems, notes): human-readable differences, and differences of order only
    within set-valued policy fields. Both are empty when the assemblies are identical."""
    la, lb = labels
    sa, ra = read_assembly(expected_dir)
    sb, rb = read_assembly(actual_dir)
    problems = []
    notes = []
    only_a, only_b = sorted(set(sa) - set(sb)), sorted(set(sb) - set(sa))
    if only_a:
        problems.append(f"stacks only in {la}: {', '.join(only_a)}")
    if only_b:
        problems.append(f"stacks only in {lb}: {', '.join(only_b)}")
    for name in sorted(set(sa) & set(sb)):
        a, b = sa[name], sb[name]
        for field in ("environment", "dependencies"):
            if a[field] != b[field]:
                problems.append(f"{name}: {field} {la}={short(a[field])} {lb}={short(b[field])}")
        ids_a, ids_b = set(a["resources"]), set(b["resources"])
        for logical_id in sorted(ids_a - ids_b):
            problems.append(f"{name}: resource {logical_id} ({a['resources'][logical_id]['Type']}) only in {la}")
        for logical_id in sorted(ids_b - ids_a):
            problems.append(f"{name}: resource {logical_id} ({b['resources'][logical_id]['Type']}) only in {lb}")
        for logical_id in sorted(ids_a & ids_b):
            ra_, rb_ = a["resources"][logical_id], b["resources"][logical_id]
            if ra_["Type"] != rb_["Type"]:
                problems.append(f"{name}: resource {logical_id} type {la}={ra_['Type']} {lb}={rb_['Type']}")
                continue
            diffs = []
            diff_values(canonical(ra_), canonical(rb_), "", diffs)
            for path, x, y in diffs:
                kind = kind_of(ra_["Type"], "." + path)
                problems.append(f"{name}: {kind} {logical_id} ({ra_['Type']}) {path}: {la}={short(x)} {lb}={short(y)}")
            if not diffs:
                raw = []
                order_diffs(ra_, rb_, "", raw)
                for path, x, y in raw:
                    kind = kind_of(ra_["Type"], "." + path)
                    notes.append(f"{name}: {kind} {logical_id} ({ra_['Type']}) {path}: {la}={short(x)} {lb}={short(y)}")
        diffs = []
        diff_values(canonical(a["sections"]), canonical(b["sections"]), "", diffs)
        for path, x, y in diffs:
            problems.append(f"{name}: template {path}: {la}={short(x)} {lb}={short(y)}")
        ma, mb = set(a["messages"]), set(b["messages"])
        for path, kind, data in sorted(ma - mb):
            problems.append(f"{name}: {kind} on {path} only in {la}: {data[:200]}")
        for path, kind, data in sorted(mb - ma):
            problems.append(f"{name}: {kind} on {path} only in {lb}: {data[:200]}")
    if (ra is None) != (rb is None):
        problems.append(f"key-access-report.json only in {la if ra is not None else lb}")
    elif ra is not None:
        diffs = []
        diff_values(canonical(ra), canonical(rb), "", diffs)
        for path, x, y in diffs:
            problems.append(f"key-access-report.json {path}: {la}={short(x)} {lb}={short(y)}")
        if not diffs:
            raw = []
            order_diffs(ra, rb, "", raw)
            notes.extend(f"key-access-report.json {path}: {la}={short(x)} {lb}={short(y)}" for path, x, y in raw)
    return problems, notes


def summary(outdir):
    stacks, _ = read_assembly(outdir)
    parts = [f"{name} ({len(s['resources'])} resources)" for name, s in sorted(stacks.items())]
    return ", ".join(parts)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("expected", help="the reference cdk.out (the TypeScript app's)")
    parser.add_argument("actual", help="the cdk.out to check (the Python or Java app's)")
    parser.add_argument("--labels", default="typescript,other", help="names of the two sides in the diff")
    parser.add_argument("--max-diffs", type=int, default=60, help="print at most this many differences")
    parser.add_argument("--strict-order", action="store_true",
                        help="fail on differences of order inside set-valued policy fields too")
    args = parser.parse_args(argv)
    labels = tuple(args.labels.split(",", 1)) if "," in args.labels else (args.labels, "other")
    try:
        problems, notes = compare(args.expected, args.actual, labels)
    except (AssemblyError, OSError, ValueError, KeyError) as error:
        print(f"compare: cannot read assemblies: {error}", file=sys.stderr)
        return 2
    if args.strict_order:
        problems, notes = problems + notes, []
    if notes:
        print(f"compare: note: {len(notes)} differences of order only inside set-valued policy fields "
              "(same policy for IAM; --strict-order makes them fail):")
        for note in notes[: args.max_diffs]:
            print(f"  ~ {note}")
        if len(notes) > args.max_diffs:
            print(f"  ~ ... and {len(notes) - args.max_diffs} more")
    if not problems:
        print(f"compare: {labels[1]} matches {labels[0]}: {summary(args.expected)}")
        return 0
    print(f"compare: {labels[1]} differs from {labels[0]} in {len(problems)} places:")
    for problem in problems[: args.max_diffs]:
        print(f"  - {problem}")
    if len(problems) > args.max_diffs:
        print(f"  ... and {len(problems) - args.max_diffs} more (--max-diffs)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
