"""GET /api/v1/docs: the API's reference drawn on the server from the OpenAPI document (no script, no
stylesheet from elsewhere: nothing leaves the machine)."""

from __future__ import annotations

import html
import json
from typing import Any

STYLE = """body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{background:#f4f4f4;border-radius:4px;padding:.1rem .3rem}pre{padding:.6rem;overflow:auto}
h2{border-bottom:1px solid #ddd;margin-top:2.5rem}.m{font-weight:bold;display:inline-block;width:4.5rem}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}"""


def _e(value: Any) -> str:
    return html.escape(str(value))


def _schema_name(ref: dict[str, Any]) -> str:
    return ref.get("$ref", "").rsplit("/", 1)[-1]


def _operation_html(path: str, method: str, op: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td><code>{_e(p['name'])}</code></td><td>{_e(p['in'])}</td>"
        f"<td>{'yes' if p.get('required') else ''}</td><td>{_e(p.get('description', ''))}</td></tr>"
        for p in op.get("parameters", [])
    )
    params = (
        f"<table><tr><th>parameter</th><th>in</th><th>required</th><th></th></tr>{rows}</table>"
        if rows
        else ""
    )
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    body_html = (
        f"<p>Body: <a href='#{_e(_schema_name(body))}'>{_e(_schema_name(body))}</a></p>" if body else ""
    )
    ok = [c for c in op["responses"] if c.startswith("2")]
    answers = ", ".join(
        f"{c} <a href='#{_e(n)}'>{_e(n)}</a>"
        for c in ok
        if (n := _schema_name(op["responses"][c]["content"]["application/json"]["schema"]))
    )
    return (
        f"<h3><span class='m'>{method.upper()}</span><code>{_e(path)}</code></h3><p>{_e(op.get('summary', ''))}"
        f" (token scope: {_e(op.get('x-dealbell-scope', 'read'))})</p>{params}{body_html}<p>Answers: {answers};"
        f" errors as <code>application/problem+json</code>.</p>"
    )


def docs_page(document: dict[str, Any]) -> str:
    operations = "".join(
        _operation_html(path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
    )
    schemas = "".join(
        f"<h3 id='{_e(name)}'>{_e(name)}</h3><pre>{_e(json.dumps(schema, indent=2))}</pre>"
        for name, schema in document["components"]["schemas"].items()
    )
    info = document["info"]
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{_e(info['title'])}</title>"
        f"<style>{STYLE}</style></head><body><h1>{_e(info['title'])} {_e(info['version'])}</h1>"
        f"<p>{_e(info.get('description', ''))}</p><p>Machine-readable: <a href='openapi.json'>openapi.json</a>"
        f" (OpenAPI {_e(document['openapi'])}).</p><pre>curl -H 'Authorization: Bearer dbk_…' "
        f"http://HOST/api/v1/deals</pre><h2>Endpoints</h2>{operations}<h2>Schemas</h2>{schemas}</body></html>"
    )
