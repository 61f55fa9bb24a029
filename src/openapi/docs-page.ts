import { pageContentSecurityPolicy } from '../common/http/security-headers';

// The page's only style and script, kept apart so that its Content-Security-Policy can name them by hash.
const DOCS_STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1rem 2rem;color:#222}
h1{margin-bottom:.2rem} h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
details{border:1px solid #e3e3e3;border-radius:6px;margin:.4rem 0;padding:.3rem .6rem}
summary{cursor:pointer} code,pre{font-family:ui-monospace,monospace}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;white-space:pre-wrap}
.m{display:inline-block;min-width:4.2rem;font-weight:700;text-transform:uppercase}
.get{color:#0a7}.post{color:#07c}.patch{color:#b70}.put{color:#b70}.delete{color:#c22}
.lock{color:#888;font-size:12px;margin-left:.5rem} .desc{white-space:pre-wrap}
`;

const DOCS_SCRIPT = `
(function () {
  var spec = JSON.parse(document.getElementById('spec').textContent);
  var schemas = (spec.components && spec.components.schemas) || {};
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function resolve(schema, depth) {
    if (!schema || depth > 6) return schema;
    if (schema.$ref) {
      var name = schema.$ref.split('/').pop();
      return resolve(schemas[name], depth + 1);
    }
    if (Array.isArray(schema)) return schema.map(function (s) { return resolve(s, depth + 1); });
    if (typeof schema !== 'object') return schema;
    var out = {};
    Object.keys(schema).forEach(function (k) { out[k] = resolve(schema[k], depth + 1); });
    return out;
  }
  var groups = {};
  Object.keys(spec.paths).forEach(function (path) {
    Object.keys(spec.paths[path]).forEach(function (method) {
      var op = spec.paths[path][method];
      var tag = (op.tags && op.tags[0]) || 'Other';
      (groups[tag] = groups[tag] || []).push({ path: path, method: method, op: op });
    });
  });
  var root = document.getElementById('ops');
  root.textContent = '';
  Object.keys(groups).sort().forEach(function (tag) {
    root.appendChild(el('h2', {}, [tag]));
    groups[tag].forEach(function (o) {
      var children = [];
      var secured = o.op.security && o.op.security.length > 0;
      var head = el('summary', {}, [
        el('span', { 'class': 'm ' + o.method }, [o.method]), ' ', el('code', {}, [o.path]), ' — ', o.op.summary || '',
        el('span', { 'class': 'lock' }, [secured ? 'bearer token' : 'public']),
      ]);
      children.push(head);
      if (o.op.description) children.push(el('p', { 'class': 'desc' }, [o.op.description]));
      if (o.op.parameters && o.op.parameters.length) {
        children.push(el('p', {}, ['Parameters: ' + o.op.parameters.map(function (p) {
          return p.name + ' (' + p.in + (p.required ? ', required' : '') + ')';
        }).join(', ')]));
      }
      if (o.op.requestBody) {
        var content = o.op.requestBody.content || {};
        Object.keys(content).forEach(function (media) {
          children.push(el('p', {}, ['Body (' + media + '):']));
          children.push(el('pre', {}, [JSON.stringify(resolve(content[media].schema, 0), null, 2)]));
        });
      }
      children.push(el('p', {}, ['Responses: ' + Object.keys(o.op.responses || {}).join(', ')]));
      root.appendChild(el('details', {}, children));
    });
  });
})();
`;

/** Nothing but the page's own inline style and script may run; it fetches nothing. */
export const DOCS_CONTENT_SECURITY_POLICY = pageContentSecurityPolicy({ scripts: [DOCS_SCRIPT], styles: [DOCS_STYLE] });

/** Self-contained page (no external assets): the document is inlined and rendered by a small script. */
export function renderDocsPage(document: Record<string, unknown>): string {
  // `<` is escaped so that no string in the document can close the script element.
  const data = JSON.stringify(document).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const title = String((document.info as { title?: string } | undefined)?.title ?? 'API').replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${DOCS_STYLE}</style>
</head>
<body>
<h1>${title}</h1>
<p><a href="/openapi.json">/openapi.json</a> (REST) · <a href="/asyncapi.json">/asyncapi.json</a> (live events over the WebSocket <code>/v1/events</code>: frames and one message per event type)</p>
<div id="ops"><noscript>Enable JavaScript, or read <a href="/openapi.json">/openapi.json</a>.</noscript></div>
<script id="spec" type="application/json">${data}</script>
<script>${DOCS_SCRIPT}</script>
</body>
</html>
`;
}
