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
.ok{color:#0a7}.err{color:#b33} .ex{margin-bottom:.2rem;color:#555}
details details{border-style:dashed}
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
      function show(label, media) {
        if (media.schema) children.push(el('details', {}, [el('summary', {}, [label + ' schema']), el('pre', {}, [JSON.stringify(resolve(media.schema, 0), null, 2)])]));
        if (media.example !== undefined) {
          children.push(el('p', { 'class': 'ex' }, [label + ' example:']));
          children.push(el('pre', {}, [typeof media.example === 'string' ? media.example : JSON.stringify(media.example, null, 2)]));
        }
      }
      if (o.op.requestBody) {
        var content = o.op.requestBody.content || {};
        Object.keys(content).forEach(function (media) { show('Request (' + media + ')', content[media]); });
      }
      var responses = o.op.responses || {};
      Object.keys(responses).forEach(function (status) {
        var response = responses[status];
        var ok = /^[123]/.test(status);
        children.push(el('p', {}, [el('strong', { 'class': ok ? 'ok' : 'err' }, [status]), ' ' + (response.description || '')]));
        if (ok) Object.keys(response.content || {}).forEach(function (media) { show('Response ' + status + ' (' + media + ')', response.content[media]); });
      });
      root.appendChild(el('details', {}, children));
    });
  });
  // The WebSocket, from the AsyncAPI document: its frames and every event type with its payload.
  var events = document.getElementById('events-spec');
  if (!events) return;
  var asyncapi = JSON.parse(events.textContent);
  var messages = (asyncapi.components && asyncapi.components.messages) || {};
  var section = document.getElementById('events');
  section.appendChild(el('h2', {}, ['Live events: WebSocket ' + ((asyncapi.channels.events || {}).address || '/v1/events')]));
  section.appendChild(el('p', { 'class': 'desc' }, [asyncapi.info.description || '']));
  section.appendChild(el('p', { 'class': 'desc' }, [(asyncapi.channels.events || {}).description || '']));
  var eventNames = (asyncapi.operations.events.messages || []).map(function (m) { return m.$ref.split('/').pop(); });
  var frameNames = Object.keys(messages).filter(function (name) { return eventNames.indexOf(name) < 0; });
  [['Frames', frameNames], ['Event types', eventNames]].forEach(function (group) {
    section.appendChild(el('h3', {}, [group[0]]));
    group[1].forEach(function (name) {
      var message = messages[name];
      section.appendChild(el('details', { 'data-message': name }, [
        el('summary', {}, [el('code', {}, [name]), ' — ', message.summary || '']),
        el('p', {}, ['Payload schema:']),
        el('pre', {}, [JSON.stringify(message.payload, null, 2)]),
      ]));
    });
  });
})();
`;

/** Nothing but the page's own inline style and script may run; it fetches nothing. */
export const DOCS_CONTENT_SECURITY_POLICY = pageContentSecurityPolicy({ scripts: [DOCS_SCRIPT], styles: [DOCS_STYLE] });

/** Self-contained page (no external assets): the document is inlined and rendered by a small script. */
export function renderDocsPage(document: Record<string, unknown>, asyncApi?: Record<string, unknown>): string {
  // `<` is escaped so that no string in the document can close the script element.
  const inline = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const data = inline(document);
  const title = String((document.info as { title?: string } | undefined)?.title ?? 'API').replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title}</title>
<style>${DOCS_STYLE}</style>
</head>
<body>
<h1>${title}</h1>
<p><a href="/openapi.json">/openapi.json</a> (REST) · <a href="/asyncapi.json">/asyncapi.json</a> (live events over the WebSocket <code>/v1/events</code>: frames and one message per event type)</p>
<div id="ops"><noscript>Enable JavaScript, or read <a href="/openapi.json">/openapi.json</a>.</noscript></div>
<div id="events"></div>
<script id="spec" type="application/json">${data}</script>
${asyncApi ? `<script id="events-spec" type="application/json">${inline(asyncApi)}</script>` : ''}
<script>${DOCS_SCRIPT}</script>
</body>
</html>
`;
}
