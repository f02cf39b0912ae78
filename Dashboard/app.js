// The dashboard: a single page over the public REST API and the live stream, with the operator's bearer token
// (kept in session storage). Views are chosen by the URL fragment: #/ (fleet), #/endpoint/NAME,
// #/plot/NAME/PATH, #/operations, #/firmware, #/campaign/ID. Device data is untrusted: the DOM is built with
// text nodes only (`h`), never from HTML strings.
import { drawChart } from "/dashboard/chart.js";

const TOKEN_KEY = "lwm2m-token";
const main = document.getElementById("main");
let authDisabled = false;
let viewAbort = new AbortController();

// ---------- DOM helper ----------
export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const text = (value) => (value === undefined || value === null ? "–" : String(value));
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "–");
const enc = encodeURIComponent;

// ---------- API ----------
function token() { return sessionStorage.getItem(TOKEN_KEY); }

export async function api(path, { method = "GET", body, headers = {}, raw = false, signal } = {}) {
  const init = { method, headers: { ...headers }, signal };
  if (token()) init.headers.Authorization = `Bearer ${token()}`;
  if (body !== undefined) {
    if (typeof body === "string" || body instanceof Blob || body instanceof ArrayBuffer) init.body = body;
    else { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  }
  const response = await fetch(path, init);
  if (response.status === 401 && !authDisabled) { showSignIn("The token was refused (401). Sign in again."); throw new Error("401"); }
  if (raw) return response;
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : await response.text();
  return { status: response.status, ok: response.ok, headers: response.headers, data };
}

/** A problem+json answer, or any error, as one line for the user. */
function problemText(result) {
  if (result && result.data && typeof result.data === "object" && result.data.title) {
    return `${result.status} ${result.data.title}: ${result.data.detail || ""}`;
  }
  return result ? `${result.status} ${typeof result.data === "string" ? result.data : ""}` : "no answer";
}

/** The live stream (server-sent events over fetch, so the token goes in a header), calling `onEvent(type, data)`
 *  until `signal` aborts; reconnects with back-off. */
export async function stream(query, onEvent, signal) {
  let delay = 1000;
  while (!signal.aborted) {
    try {
      const response = await api(`/api/v1/stream${query ? "?" + query : ""}`, { raw: true, signal });
      if (!response.ok || !response.body) throw new Error(`stream ${response.status}`);
      delay = 1000;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end); buffer = buffer.slice(end + 2);
          let type = "message", data = "";
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) type = line.slice(6).trim();
            else if (line.startsWith("data:")) data += line.slice(5).trim();
          }
          if (data) { try { onEvent(type, JSON.parse(data)); } catch { /* not JSON: a comment or keep-alive */ } }
        }
      }
    } catch (error) {
      if (signal.aborted) return;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 30000);
  }
}

// ---------- sign-in ----------
function showSignIn(message) {
  viewAbort.abort();
  const content = document.getElementById("sign-in-template").content.cloneNode(true);
  main.replaceChildren(content);
  document.getElementById("sign-out").hidden = true;
  const error = document.getElementById("sign-in-error");
  if (message) error.textContent = message;
  document.getElementById("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = document.getElementById("token-input").value.trim();
    sessionStorage.setItem(TOKEN_KEY, value);
    const check = await fetch("/api/v1/endpoints?limit=1", { headers: { Authorization: `Bearer ${value}` } });
    if (check.status === 401) { sessionStorage.removeItem(TOKEN_KEY); error.textContent = "This token is not valid."; return; }
    route();
  });
  document.getElementById("token-input").focus();
}

async function signedIn() {
  // With --no-auth the API answers without a token: no form.
  const probe = await fetch("/api/v1/endpoints?limit=1", token() ? { headers: { Authorization: `Bearer ${token()}` } } : {});
  if (probe.status !== 401) { authDisabled = !token(); return true; }
  return false;
}

// ---------- routing ----------
function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = raw.split("?");
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
}

async function route() {
  viewAbort.abort();
  viewAbort = new AbortController();
  const signal = viewAbort.signal;
  if (!(await signedIn())) { showSignIn(); return; }
  document.getElementById("sign-out").hidden = authDisabled;
  const { parts, params } = parseHash();
  for (const link of document.querySelectorAll("header nav a")) {
    const target = link.getAttribute("href");
    link.toggleAttribute("aria-current", target === `#/${parts[0] || ""}` || (target === "#/" && !parts[0]));
    if (link.hasAttribute("aria-current")) link.setAttribute("aria-current", "page");
  }
  try {
    switch (parts[0]) {
      case undefined: await fleetView(params, signal); break;
      case "endpoint": await endpointView(parts[1], signal); break;
      case "plot": await plotView(parts[1], "/" + parts.slice(2).join("/"), params, signal); break;
      case "operations": await operationsView(params, signal); break;
      case "firmware": await firmwareView(signal); break;
      case "campaign": await campaignView(parts[1], signal); break;
      default: main.replaceChildren(h("h2", {}, "Not found"), h("p", {}, h("a", { href: "#/" }, "Back to the fleet")));
    }
  } catch (error) {
    if (!signal.aborted && error.message !== "401") main.append(h("p", { class: "error", role: "alert" }, `Error: ${error.message}`));
  }
  main.focus({ preventScroll: true });
}

// ---------- fleet ----------
const PAGE = 50;

async function fleetView(params, signal) {
  const filters = { name: params.get("name") || "", presence: params.get("presence") || "", object: params.get("object") || "" };
  const cursor = params.get("cursor") || "";
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
  const counts = h("ul", { class: "counts", "aria-label": "Endpoint counts" });
  const tableBody = h("tbody");
  const pager = h("div", { class: "pager" });
  const status = h("p", { class: "muted", "aria-live": "polite", id: "fleet-status" });
  const form = h("form", { class: "filters", role: "search", onsubmit: (event) => {
      event.preventDefault();
      const data = new FormData(event.target), next = new URLSearchParams();
      for (const [key, value] of data) if (value) next.set(key, value);
      location.hash = `#/?${next}`;
    } },
    h("div", {}, h("label", { for: "f-name" }, "Name contains"), h("input", { id: "f-name", name: "name", value: filters.name })),
    h("div", {}, h("label", { for: "f-presence" }, "Presence"),
      h("select", { id: "f-presence", name: "presence" }, ["", "online", "awake", "sleeping", "offline"].map((p) =>
        h("option", { value: p, selected: p === filters.presence }, p || "any")))),
    h("div", {}, h("label", { for: "f-object" }, "Object id"),
      h("input", { id: "f-object", name: "object", inputmode: "numeric", pattern: "[0-9]*", size: 6, value: filters.object })),
    h("button", { type: "submit" }, "Filter"));
  main.replaceChildren(h("h2", {}, "Fleet"), counts, form, status,
    h("div", { class: "table-wrap" }, h("table", { id: "fleet-table" },
      h("caption", { class: "muted" }, "Endpoints, sorted by name"),
      h("thead", {}, h("tr", {}, ["Endpoint", "Presence", "LwM2M", "Binding", "Security", "Last seen", "Firmware"].map((c, i) =>
        h("th", { scope: "col", class: i >= 3 && i <= 4 ? "wide" : undefined }, c)))),
      tableBody)), pager);

  async function loadCounts() {
    const kinds = ["", "online", "awake", "sleeping", "offline"];
    const totals = await Promise.all(kinds.map((p) =>
      api(`/api/v1/endpoints?limit=1${p ? "&presence=" + p : ""}`, { signal }).then((r) => r.headers.get("x-total-count") || "0")));
    counts.replaceChildren(...kinds.map((p, i) => h("li", { dataset: { presence: p || "total" } },
      h("strong", {}, totals[i]), p || "endpoints")));
  }
  async function loadPage() {
    const pageQuery = new URLSearchParams(query); pageQuery.set("limit", PAGE);
    if (cursor) pageQuery.set("cursor", cursor);
    const result = await api(`/api/v1/endpoints?${pageQuery}`, { signal });
    if (!result.ok) { status.textContent = problemText(result); return; }
    const total = result.headers.get("x-total-count");
    status.textContent = `${total} endpoint${total === "1" ? "" : "s"} match; showing ${result.data.length}.`;
    tableBody.replaceChildren(...result.data.map((e) => h("tr", { dataset: { endpoint: e.endpoint } },
      h("td", {}, h("a", { href: `#/endpoint/${enc(e.endpoint)}` }, e.endpoint)),
      h("td", {}, h("span", { class: `presence presence-${e.presence || (e.online ? "online" : "offline")}` }, e.presence || (e.online ? "online" : "offline"))),
      h("td", {}, e.lwm2mVersion), h("td", { class: "wide" }, e.binding), h("td", { class: "wide" }, e.transport === "dtls" ? "DTLS" : "NoSec"),
      h("td", {}, when(e.lastSeen)), h("td", { class: "firmware" }, "…"))));
    const next = result.headers.get("link")?.match(/cursor=([^&>]+)/)?.[1];
    pager.replaceChildren(
      cursor ? h("a", { href: `#/?${query}` }, "« First page") : "",
      next ? h("a", { href: `#/?${new URLSearchParams({ ...Object.fromEntries(query), cursor: decodeURIComponent(next) })}` }, "Next page »") : "");
    // Firmware version (/3/0/3) from the latest stored values, for the rows shown.
    await Promise.all(result.data.map(async (e) => {
      const latest = await api(`/api/v1/endpoints/${enc(e.endpoint)}/latest`, { signal }).catch(() => null);
      const values = Array.isArray(latest?.data) ? latest.data : (latest?.data?.values || []);
      const version = Array.isArray(values) ? values.find((v) => v.path === "/3/0/3") : null;
      const cell = tableBody.querySelector(`tr[data-endpoint="${CSS.escape(e.endpoint)}"] .firmware`);
      if (cell) cell.textContent = version ? text(version.value) : "–";
    }));
  }
  await Promise.all([loadCounts(), loadPage()]);
  // At most one reload a second: a burst of thousands of registrations refreshes the page as it goes, rather
  // than postponing a debounced reload until the burst is over.
  let pending = null;
  stream("events=REGISTRATION,UPDATED,DEREGISTRATION,SLEEPING,AWAKE", () => {
    if (pending) return;
    pending = setTimeout(() => { pending = null; if (!signal.aborted) { loadCounts(); loadPage(); } }, 1000);
  }, signal);
}

// ---------- endpoint console ----------
const objectCache = new Map();
async function objectDefinition(id) {
  if (!objectCache.has(id)) objectCache.set(id, api(`/api/v1/objects/${id}`).then((r) => (r.ok ? r.data : null)));
  return objectCache.get(id);
}

/** A node from the API (`{"kind":"singleResource","value":...}` etc.) as a short text. */
export function nodeText(node) {
  if (!node || typeof node !== "object") return text(node);
  switch (node.kind) {
    case "singleResource": case "resourceInstance": return text(node.value);
    case "multiResource": return Object.entries(node.values || {}).map(([k, v]) => `[${k}] ${v}`).join(", ");
    case "instance": return (node.resources || []).map((r) => `${r.id}: ${nodeText(r)}`).join("; ");
    case "object": return (node.instances || []).map((i) => `/${i.id} {${nodeText(i)}}`).join(" ");
    default: return JSON.stringify(node);
  }
}

function inputFor(resource, id) {
  const type = resource.type;
  if (type === "boolean") return h("select", { id, name: "value" }, h("option", { value: "true" }, "true"), h("option", { value: "false" }, "false"));
  const attributes = { id, name: "value", required: true, size: 14 };
  const range = /^(-?[\d.]+)\s*\.\.\s*(-?[\d.]+)$/.exec(resource.range || "");
  if (["integer", "unsignedInteger", "float"].includes(type)) {
    attributes.type = "number"; attributes.step = type === "float" ? "any" : "1";
    if (range) { attributes.min = range[1]; attributes.max = range[2]; }
    if (type === "unsignedInteger" && !range) attributes.min = "0";
  }
  return h("input", attributes);
}

function typedValue(resource, raw) {
  switch (resource.type) {
    case "integer": case "unsignedInteger": return parseInt(raw, 10);
    case "float": return parseFloat(raw);
    case "boolean": return raw === "true";
    case "time": return /^\d+$/.test(raw) ? parseInt(raw, 10) : raw;
    default: return raw;
  }
}

async function endpointView(name, signal) {
  const result = await api(`/api/v1/endpoints/${enc(name)}`, { signal });
  if (!result.ok) { main.replaceChildren(h("h2", {}, name), h("p", { class: "error" }, problemText(result))); return; }
  const e = result.data;
  const log = h("ol", { class: "log", id: "endpoint-log", "aria-live": "polite", "aria-label": "Events of this endpoint", reversed: true });
  const format = h("select", { id: "c-format" }, ["", "senml-json", "senml-cbor", "tlv", "json", "text", "opaque", "cbor"].map((f) =>
    h("option", { value: f }, f || "negotiated")));
  const timeout = h("input", { id: "c-timeout", type: "number", min: 1, max: 300, value: 10, size: 4 });
  const options = () => { const q = new URLSearchParams(); if (format.value) q.set("format", format.value); q.set("timeout", timeout.value || "10"); return q; };
  const addLog = (line) => { log.prepend(h("li", {}, `${new Date().toLocaleTimeString()} ${line}`)); while (log.children.length > 200) log.lastChild.remove(); };
  const base = `/api/v1/endpoints/${enc(name)}`;

  async function run(label, path, init, show) {
    addLog(`${label} ${path} …`);
    const answer = await api(path, init);
    if (answer.status === 202) { addLog(`${label}: queued as operation ${answer.data?.id} (the device sleeps)`); show?.("queued"); return answer; }
    if (!answer.ok) { addLog(`${label}: ${problemText(answer)}`); show?.(problemText(answer), true); return answer; }
    addLog(`${label}: ${answer.status}`);
    return answer;
  }

  // Write-Attributes (LwM2M 1.1 Core §5.4.4): one form for the whole tree; "Attributes" on a node fills its path.
  const attributeNames = ["pmin", "pmax", "gt", "lt", "st", "epmin", "epmax"];
  const attributesStatus = h("p", { class: "muted", "aria-live": "polite", id: "attributes-status" });
  const attributesForm = h("form", { class: "filters card", id: "attributes-form", "aria-label": "Write-Attributes", onsubmit: async (event) => {
      event.preventDefault();
      const data = new FormData(event.target), q = options();
      const path = String(data.get("path") || "").trim();
      for (const a of attributeNames) {
        const v = String(data.get(a) ?? "").trim();
        if (v !== "") q.set(a, v);
        else if (data.get(`clear-${a}`)) q.set(a, "");
      }
      if (![...q.keys()].some((k) => attributeNames.includes(k))) { attributesStatus.textContent = "Give at least one attribute."; return; }
      const pmin = Number(data.get("pmin")), pmax = Number(data.get("pmax"));
      if (data.get("pmin") && data.get("pmax") && pmin > pmax) { attributesStatus.textContent = "pmin must not be greater than pmax."; return; }
      const answer = await run("Write-Attributes", `${base}/resources${path}/attributes?${q}`, { method: "PUT" },
        (t, bad) => { attributesStatus.textContent = t; attributesStatus.classList.toggle("error", !!bad); });
      if (answer.ok && answer.status !== 202) attributesStatus.textContent = `Attributes written to ${path}.`;
    } },
    h("div", {}, h("label", { for: "a-path" }, "Path"), h("input", { id: "a-path", name: "path", required: true, size: 14,
      pattern: "(/[0-9]+){1,4}", placeholder: "/3303/0/5700" })),
    ...attributeNames.map((a) => h("div", {}, h("label", { for: `a-${a}` }, a),
      h("input", { id: `a-${a}`, name: a, size: 6, inputmode: "decimal", ...(["pmin", "pmax", "epmin", "epmax"].includes(a)
        ? { type: "number", min: 0, step: 1 } : { type: "number", step: "any", ...(a === "st" ? { min: 0 } : {}) }) }))),
    h("div", {}, h("label", { for: "a-clear" }, "Remove empty ones"), h("input", { id: "a-clear", type: "checkbox",
      onchange: (event) => { for (const a of attributeNames) attributesForm.elements[`clear-${a}`].value = event.target.checked ? "1" : ""; } }),
      ...attributeNames.map((a) => h("input", { type: "hidden", name: `clear-${a}`, value: "" }))),
    h("button", { type: "submit" }, "Write attributes"), attributesStatus);
  const attributesFor = (path) => h("button", { type: "button", class: "secondary", "aria-label": `Attributes of ${path}`, onclick: () => {
    attributesForm.elements.path.value = path; attributesForm.elements.pmin.focus();
  } }, "Attributes");

  // Create (LwM2M 1.1 Core §5.4.6): a new instance with the values given (the id too, or the device picks one).
  function createForm(objectId, definition) {
    const status = h("p", { class: "muted", "aria-live": "polite" });
    const fields = (definition.resources || []).filter((r) => r.type !== "none" && r.operations !== "E").map((resource) => {
      const id = `cr-${objectId}-${resource.id}`;
      const input = inputFor(resource, id);
      input.required = false; input.name = `r-${resource.id}`;
      if (input.tagName === "SELECT") input.prepend(h("option", { value: "", selected: true }, "–"));
      return h("div", {}, h("label", { for: id }, `${resource.id} ${resource.name}`), input);
    });
    const form = h("form", { class: "filters", dataset: { create: objectId }, onsubmit: async (event) => {
        event.preventDefault();
        const data = new FormData(event.target), body = { kind: "instance", resources: [] };
        if (data.get("instance") !== "") body.id = Number(data.get("instance"));
        for (const resource of definition.resources || []) {
          const raw = data.get(`r-${resource.id}`);
          if (raw !== null && raw !== "") body.resources.push({ id: resource.id, value: typedValue(resource, raw) });
        }
        const answer = await run("Create", `${base}/resources/${objectId}?${options()}`, { method: "POST", body },
          (t, bad) => { status.textContent = t; status.classList.toggle("error", !!bad); });
        if (answer.ok && answer.status !== 202) status.textContent = `Created ${answer.data?.path || answer.headers.get("location") || ""}`;
      } },
      h("div", {}, h("label", { for: `cr-${objectId}-id` }, "Instance id (optional)"),
        h("input", { id: `cr-${objectId}-id`, name: "instance", type: "number", min: 0, max: 65534, size: 6 })),
      ...fields, h("button", { type: "submit" }, "Create"), status);
    return h("details", { class: "create" }, h("summary", {}, "Create instance"), form);
  }

  const tree = h("div", { class: "tree", id: "object-tree" });
  const objects = new Map();
  for (const link of e.objectLinks) {
    const m = /^\/(\d+)(?:\/(\d+))?/.exec(link);
    if (!m) continue;
    const id = Number(m[1]);
    if (!objects.has(id)) objects.set(id, new Set());
    if (m[2] !== undefined) objects.get(id).add(Number(m[2]));
  }
  for (const [objectId, instances] of [...objects].sort((a, b) => a[0] - b[0])) {
    const definition = await objectDefinition(objectId);
    const objectNode = h("details", { dataset: { object: objectId } },
      h("summary", {}, `/${objectId} ${definition?.name || "Unknown object"}`));
    objectNode.append(h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: async () => {
        const answer = await run("Discover", `${base}/resources/${objectId}/discover?${options()}`, {});
        if (answer.ok) addLog(`Discover: ${Array.isArray(answer.data?.links) ? answer.data.links.map((l) => l.path || l).join(", ") : JSON.stringify(answer.data)}`);
      } }, "Discover"), attributesFor(`/${objectId}`),
      definition?.multipleInstances ? createForm(objectId, definition) : ""));
    for (const instanceId of [...instances].sort((a, b) => a - b)) {
      const instanceNode = h("details", { open: objects.size <= 3 },
        h("summary", {}, `/${objectId}/${instanceId}`),
        h("div", { class: "actions" },
          h("button", { type: "button", class: "secondary", onclick: async () => {
            const answer = await run("Read", `${base}/resources/${objectId}/${instanceId}?${options()}`, {});
            if (answer.ok) for (const r of answer.data?.content?.resources || []) {
              const cell = instanceNode.querySelector(`[data-resource="${r.id}"] .value`);
              if (cell) cell.textContent = nodeText(r);
            }
          } }, "Read instance"), attributesFor(`/${objectId}/${instanceId}`),
          definition?.multipleInstances ? h("button", { type: "button", class: "danger", onclick: async () => {
            if (confirm(`Delete /${objectId}/${instanceId} on ${name}?`)) await run("Delete", `${base}/resources/${objectId}/${instanceId}?${options()}`, { method: "DELETE" });
          } }, "Delete instance") : ""));
      for (const resource of definition?.resources || []) {
        const path = `/${objectId}/${instanceId}/${resource.id}`;
        const value = h("span", { class: "value", "aria-live": "polite" }, "");
        const show = (t, bad) => { value.textContent = t; value.classList.toggle("error", !!bad); };
        const ops = resource.operations || "";
        const actions = h("div", { class: "actions" });
        if (ops.includes("R")) {
          actions.append(h("button", { type: "button", "aria-label": `Read ${resource.name}`, onclick: async () => {
            const answer = await run("Read", `${base}/resources${path}?${options()}`, {}, show);
            if (answer.ok) show(nodeText(answer.data?.content));
          } }, "Read"));
          let observing = false;
          const observe = h("button", { type: "button", class: "secondary", "aria-pressed": "false", onclick: async () => {
            if (!observing) {
              const answer = await run("Observe", `${base}/observations?${options()}`, { method: "POST", body: { paths: [path] } }, show);
              if (answer.ok) { observing = true; observe.textContent = "Cancel observe"; observe.setAttribute("aria-pressed", "true"); }
            } else {
              await run("Cancel observe", `${base}/observations?paths=${enc(path)}`, { method: "DELETE" }, show);
              observing = false; observe.textContent = "Observe"; observe.setAttribute("aria-pressed", "false");
            }
          } }, "Observe");
          actions.append(observe, attributesFor(path));
          if (["integer", "unsignedInteger", "float"].includes(resource.type)) {
            actions.append(h("a", { href: `#/plot/${enc(name)}${path}` }, "Plot"));
          }
        }
        if (ops.includes("W")) {
          const id = `w-${objectId}-${instanceId}-${resource.id}`;
          actions.append(h("form", { onsubmit: async (event) => {
              event.preventDefault();
              const raw = new FormData(event.target).get("value");
              const answer = await run("Write", `${base}/resources${path}?${options()}`, { method: "PUT", body: { value: typedValue(resource, raw) } }, show);
              if (answer.ok) show(`written: ${raw}`);
            } },
            h("label", { for: id, class: "muted" }, "Value"), inputFor(resource, id), h("button", { type: "submit" }, "Write")));
        }
        if (ops.includes("E")) {
          const id = `e-${objectId}-${instanceId}-${resource.id}`;
          actions.append(h("form", { onsubmit: async (event) => {
              event.preventDefault();
              const args = new FormData(event.target).get("arguments");
              const answer = await run("Execute", `${base}/resources${path}/execute?${options()}`,
                { method: "POST", body: args ? { arguments: args } : undefined }, show);
              if (answer.ok) show("executed");
            } },
            h("label", { for: id, class: "muted" }, "Arguments"), h("input", { id, name: "arguments", size: 10, placeholder: "0='x'" }),
            h("button", { type: "submit" }, "Execute")));
        }
        instanceNode.append(h("div", { class: "resource", dataset: { resource: resource.id, path } },
          h("div", {}, h("strong", {}, `${resource.id} ${resource.name}`), " ",
            h("span", { class: "muted" }, `${resource.type}${resource.units ? ", " + resource.units : ""}${resource.range ? ", " + resource.range : ""} (${ops || "-"})`)),
          value, actions));
      }
      objectNode.append(instanceNode);
    }
    tree.append(objectNode);
  }
  main.replaceChildren(
    h("h2", {}, name, " ", h("span", { class: `presence presence-${e.presence || (e.online ? "online" : "offline")}` }, e.presence || (e.online ? "online" : "offline"))),
    h("section", { class: "card", "aria-label": "Registration" }, factsList([
      ["LwM2M", e.lwm2mVersion], ["Binding", e.binding], ["Security", e.transport === "dtls" ? "DTLS" : "NoSec"],
      ["Lifetime", `${e.lifetime} s`], ["Registered", when(e.registeredAt)], ["Last seen", when(e.lastSeen)],
      ["Address", e.address], ["Objects", e.objectLinks.join(" ")]])),
    h("div", { class: "console-options card" }, h("label", { for: "c-format" }, "Format"), format,
      h("label", { for: "c-timeout" }, "Timeout (s)"), timeout,
      h("a", { href: `#/operations?endpoint=${enc(name)}` }, "Operations of this endpoint")),
    h("h3", {}, "Write-Attributes"), attributesForm, h("h3", {}, "Objects"), tree, h("h3", {}, "Events"), log);
  stream(`endpoint=${enc(name)}`, (type, data) => {
    if (type === "NOTIFICATION" || type === "SEND") {
      for (const v of data.values || []) {
        addLog(`${type} ${v.path} = ${text(v.value)}`);
        const cell = tree.querySelector(`[data-path="${CSS.escape(v.path)}"] .value`);
        if (cell) cell.textContent = text(v.value);
      }
    } else if (type === "OPERATION") addLog(`OPERATION ${data.operation?.id} ${data.operation?.kind} ${data.operation?.status} ${data.note || ""}`);
    else addLog(type);
  }, signal);
}

function factsList(pairs) {
  return h("dl", { class: "facts" }, pairs.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, text(v))]));
}

// ---------- plots ----------
const RANGES = { hour: [3600e3, "60s"], day: [86400e3, "5m"], week: [7 * 86400e3, "1h"] };

async function plotView(name, path, params, signal) {
  const range = params.get("range") || "hour";
  const now = Date.now();
  let from = now - (RANGES[range]?.[0] || 3600e3), to = now, bucket = RANGES[range]?.[1] || "60s";
  if (range === "custom") {
    from = Date.parse(params.get("from")) || from; to = Date.parse(params.get("to")) || to;
    const span = to - from; bucket = span <= 2 * 3600e3 ? "60s" : span <= 2 * 86400e3 ? "5m" : "1h";
  }
  const definition = await objectDefinition(Number(path.split("/")[1]));
  const resource = definition?.resources?.find((r) => r.id === Number(path.split("/")[3]));
  const title = `${name} ${path} ${resource?.name || ""}`.trim();
  const chart = h("div", { class: "chart", id: "chart" });
  const status = h("p", { class: "muted", "aria-live": "polite", id: "plot-status" });
  const query = new URLSearchParams({ path, from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket, agg: "avg" });
  const form = h("form", { class: "filters", onsubmit: (event) => {
      event.preventDefault();
      const data = new URLSearchParams(new FormData(event.target));
      location.hash = `#/plot/${enc(name)}${path}?${data}`;
    } },
    h("div", {}, h("label", { for: "p-range" }, "Range"), h("select", { id: "p-range", name: "range" },
      ["hour", "day", "week", "custom"].map((r) => h("option", { value: r, selected: r === range }, r === "custom" ? "custom" : `last ${r}`)))),
    h("div", {}, h("label", { for: "p-from" }, "From"), h("input", { id: "p-from", name: "from", type: "datetime-local", value: params.get("from") || "" })),
    h("div", {}, h("label", { for: "p-to" }, "To"), h("input", { id: "p-to", name: "to", type: "datetime-local", value: params.get("to") || "" })),
    h("button", { type: "submit" }, "Show"),
    h("button", { type: "button", class: "secondary", onclick: async () => {
      const response = await api(`/api/v1/endpoints/${enc(name)}/telemetry?${query}&format=csv`, { raw: true });
      const blob = await response.blob();
      const link = h("a", { href: URL.createObjectURL(blob), download: `${name}${path.replaceAll("/", "_")}.csv` });
      document.body.append(link); link.click(); link.remove();
    } }, "Download CSV"));
  main.replaceChildren(h("h2", {}, title), h("p", {}, h("a", { href: `#/endpoint/${enc(name)}` }, `« ${name}`)), form, status, chart);
  const result = await api(`/api/v1/endpoints/${enc(name)}/telemetry?${query}`, { signal });
  if (!result.ok) { status.textContent = problemText(result); return; }
  const points = (result.data.buckets || []).filter((b) => b.value !== null && b.value !== undefined)
    .map((b) => ({ t: Date.parse(b.start), v: Number(b.value) }));
  chart.dataset.buckets = JSON.stringify(points.map((p) => [p.t, p.v]));
  const render = () => {
    drawChart(chart, points, { title, unit: resource?.units || "", from, to: Math.max(to, points.at(-1)?.t || to) });
    status.textContent = `${points.length} points (${bucket} averages)`;
    chart.dataset.points = JSON.stringify(points.map((p) => [p.t, p.v]));
  };
  render();
  if (range === "custom") return;
  stream(`endpoint=${enc(name)}&events=NOTIFICATION,SEND`, (type, data) => {
    for (const v of data.values || []) {
      if (v.path !== path || typeof v.value !== "number") continue;
      points.push({ t: Date.parse(v.timestamp || data.time) || Date.now(), v: v.value });
      to = Date.now();
      render();
    }
  }, signal);
}

// ---------- operations ----------
async function operationsView(params, signal) {
  const query = new URLSearchParams({ limit: 50 });
  for (const key of ["endpoint", "status", "before"]) if (params.get(key)) query.set(key, params.get(key));
  const result = await api(`/api/v1/operations?${query}`, { signal });
  const body = h("tbody");
  const status = h("p", { class: "muted", "aria-live": "polite" });
  main.replaceChildren(h("h2", {}, "Operations", params.get("endpoint") ? ` of ${params.get("endpoint")}` : ""),
    h("form", { class: "filters", onsubmit: (event) => { event.preventDefault(); location.hash = `#/operations?${new URLSearchParams([...new FormData(event.target)].filter(([, v]) => v))}`; } },
      h("div", {}, h("label", { for: "o-endpoint" }, "Endpoint"), h("input", { id: "o-endpoint", name: "endpoint", value: params.get("endpoint") || "" })),
      h("div", {}, h("label", { for: "o-status" }, "Status"), h("select", { id: "o-status", name: "status" },
        ["", "queued", "sending", "succeeded", "failed", "expired", "cancelled"].map((s) => h("option", { value: s, selected: s === params.get("status") }, s || "any")))),
      h("button", { type: "submit" }, "Filter")),
    status,
    h("div", { class: "table-wrap" }, h("table", { id: "operations-table" }, h("thead", {}, h("tr", {},
      ["Id", "Endpoint", "Kind", "Path", "Status", "Attempts", "Updated", ""].map((c) => h("th", { scope: "col" }, c)))), body)));
  if (!result.ok) { status.textContent = problemText(result); return; }
  for (const op of result.data.operations || []) {
    const history = h("td", { colspan: 8, hidden: true });
    body.append(h("tr", { dataset: { operation: op.id } },
      h("td", {}, h("button", { type: "button", class: "secondary", "aria-expanded": "false", onclick: async (event) => {
        const detail = await api(`/api/v1/operations/${op.id}`);
        history.hidden = !history.hidden; event.target.setAttribute("aria-expanded", String(!history.hidden));
        history.replaceChildren(h("ol", {}, (detail.data?.history || []).map((t) =>
          h("li", {}, `${when(t.at)}: ${t.from || "–"} → ${t.to} ${t.note || ""}`))),
          detail.data?.result ? h("p", {}, `Result: ${JSON.stringify(detail.data.result)}`) : "", detail.data?.lastError ? h("p", { class: "error" }, detail.data.lastError) : "");
      } }, `#${op.id}`)),
      h("td", {}, h("a", { href: `#/endpoint/${enc(op.endpoint)}` }, op.endpoint)), h("td", {}, op.kind), h("td", {}, (op.paths || []).join(" ")),
      h("td", { class: "status" }, op.status), h("td", {}, `${op.attempts}/${op.maxAttempts}`), h("td", {}, when(op.updatedAt)),
      h("td", {}, op.status === "queued" ? h("button", { type: "button", class: "danger", onclick: async (event) => {
        const answer = await api(`/api/v1/operations/${op.id}`, { method: "DELETE" });
        status.textContent = answer.ok ? `Operation ${op.id} cancelled.` : problemText(answer);
        if (answer.ok) { event.target.closest("tr").querySelector(".status").textContent = answer.data.status; event.target.remove(); }
      } }, "Cancel") : "")),
      h("tr", {}, history));
  }
  if (result.data.nextBefore) {
    const next = new URLSearchParams(query); next.set("before", result.data.nextBefore); next.delete("limit");
    main.append(h("p", { class: "pager" }, h("a", { href: `#/operations?${next}` }, "Older »")));
  }
  stream("events=OPERATION", () => { status.textContent = "Operations changed: reload to see the newest."; }, signal);
}

// ---------- firmware ----------
function campaignProgress(campaign) {
  const counts = campaign.counts || {};
  const total = campaign.total || Object.values(counts).reduce((a, b) => a + b, 0);
  const done = (counts.succeeded || 0) + (counts.failed || 0) + (counts.cancelled || 0);
  return { total, done, counts };
}

async function firmwareView(signal) {
  const [images, campaigns] = await Promise.all([api("/api/v1/firmware", { signal }), api("/api/v1/campaigns", { signal })]);
  const progress = h("progress", { class: "progress", max: 100, value: 0, hidden: true, "aria-label": "Upload progress" });
  const uploadStatus = h("p", { class: "muted", "aria-live": "polite", id: "upload-status" });
  const upload = h("form", { class: "filters card", id: "upload-form", onsubmit: (event) => {
      event.preventDefault();
      const data = new FormData(event.target), file = data.get("file");
      const request = new XMLHttpRequest();
      request.open("POST", `/api/v1/firmware?${new URLSearchParams({ name: data.get("name"), version: data.get("version"), ...(data.get("model") ? { model: data.get("model") } : {}) })}`);
      if (token()) request.setRequestHeader("Authorization", `Bearer ${token()}`);
      request.setRequestHeader("Content-Type", "application/octet-stream");
      progress.hidden = false;
      request.upload.onprogress = (e) => { if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100); };
      request.onload = () => { uploadStatus.textContent = request.status < 300 ? `Uploaded (${request.status}).` : `Upload failed: ${request.status} ${request.responseText}`; if (request.status < 300) route(); };
      request.onerror = () => { uploadStatus.textContent = "Upload failed: no answer."; };
      request.send(file);
    } },
    h("div", {}, h("label", { for: "u-file" }, "Image"), h("input", { id: "u-file", name: "file", type: "file", required: true })),
    h("div", {}, h("label", { for: "u-name" }, "Name"), h("input", { id: "u-name", name: "name", required: true, size: 12 })),
    h("div", {}, h("label", { for: "u-version" }, "Version"), h("input", { id: "u-version", name: "version", required: true, size: 8 })),
    h("div", {}, h("label", { for: "u-model" }, "Model (optional)"), h("input", { id: "u-model", name: "model", size: 10 })),
    h("button", { type: "submit" }, "Upload"), progress, uploadStatus);
  const imageList = images.data?.firmware || [];
  const campaignForm = h("form", { class: "filters card", onsubmit: async (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      const body = { firmwareId: Number(data.get("firmwareId")), method: data.get("method") || "auto",
        maxConcurrent: Number(data.get("maxConcurrent")) || 10 };
      // Targets: a glob over names and/or a model (/3/0/1); optional rate, failure brake and waves.
      if (data.get("pattern")) body.pattern = data.get("pattern");
      if (data.get("model")) body.model = data.get("model");
      if (!body.pattern && !body.model) { campaignStatus.textContent = "Give an endpoint glob or a model."; return; }
      if (data.get("perMinute")) body.perMinute = Number(data.get("perMinute"));
      if (data.get("failureThreshold")) body.failureThreshold = Number(data.get("failureThreshold")) / 100;
      if (data.get("waves")) {
        body.waves = String(data.get("waves")).split(",").map((w) => Number(w.trim()) / 100);
        if (body.waves.some((w) => !(w > 0 && w <= 1))) { campaignStatus.textContent = "Waves are percentages above 0 and up to 100."; return; }
      }
      const answer = await api("/api/v1/campaigns", { method: "POST", body });
      if (answer.ok) location.hash = `#/campaign/${answer.data.id}`; else campaignStatus.textContent = problemText(answer);
    } },
    h("div", {}, h("label", { for: "c-image" }, "Image"), h("select", { id: "c-image", name: "firmwareId", required: true },
      imageList.map((f) => h("option", { value: f.id }, `${f.name} ${f.version} (#${f.id})`)))),
    h("div", {}, h("label", { for: "c-pattern" }, "Endpoints (glob)"), h("input", { id: "c-pattern", name: "pattern", value: "sim-*", size: 12 })),
    h("div", {}, h("label", { for: "c-model" }, "or model (/3/0/1)"), h("input", { id: "c-model", name: "model", size: 10 })),
    h("div", {}, h("label", { for: "c-method" }, "Method"), h("select", { id: "c-method", name: "method" },
      ["auto", "push", "coap-pull", "http-pull"].map((m) => h("option", { value: m }, m)))),
    h("div", {}, h("label", { for: "c-max" }, "At once"), h("input", { id: "c-max", name: "maxConcurrent", type: "number", min: 1, value: 10, size: 4 })),
    h("div", {}, h("label", { for: "c-rate" }, "Starts per minute"), h("input", { id: "c-rate", name: "perMinute", type: "number", min: 1, size: 5 })),
    h("div", {}, h("label", { for: "c-brake" }, "Pause above % failed"), h("input", { id: "c-brake", name: "failureThreshold", type: "number", min: 0, max: 100, size: 4 })),
    h("div", {}, h("label", { for: "c-waves" }, "Waves (% cumulative)"), h("input", { id: "c-waves", name: "waves", placeholder: "1, 10, 50, 100", size: 12 })),
    h("button", { type: "submit", disabled: imageList.length === 0 }, "Start campaign"));
  const campaignStatus = h("p", { class: "muted", "aria-live": "polite" });
  main.replaceChildren(h("h2", {}, "Firmware"), h("h3", {}, "Upload an image"), upload,
    h("h3", {}, "Images"), h("div", { class: "table-wrap" }, h("table", { id: "images-table" },
      h("thead", {}, h("tr", {}, ["Id", "Name", "Version", "Model", "Size", "SHA-256", "Uploaded"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, imageList.map((f) => h("tr", {}, h("td", {}, f.id), h("td", {}, f.name), h("td", {}, f.version), h("td", {}, text(f.model)),
        h("td", {}, `${f.size} B`), h("td", { class: "wide" }, (f.sha256 || "").slice(0, 16) + "…"), h("td", {}, when(f.createdAt))))))),
    h("h3", {}, "Campaigns"), campaignForm, campaignStatus,
    h("div", { class: "table-wrap" }, h("table", { id: "campaigns-table" },
      h("thead", {}, h("tr", {}, ["Id", "Status", "Progress", "Devices by state"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, (campaigns.data?.campaigns || []).map((c) => {
        const { total, done, counts } = campaignProgress(c);
        return h("tr", {}, h("td", {}, h("a", { href: `#/campaign/${c.id}` }, `#${c.id}`)), h("td", {}, c.status),
          h("td", {}, h("progress", { max: total || 1, value: done, "aria-label": `Campaign ${c.id}: ${done} of ${total} finished` }), ` ${done}/${total}`),
          h("td", {}, Object.entries(counts).filter(([, n]) => n).map(([s, n]) => `${s} ${n}`).join(", ")));
      })))));
}

async function campaignView(id, signal) {
  const load = async () => {
    const result = await api(`/api/v1/campaigns/${enc(id)}`, { signal });
    if (!result.ok) { main.replaceChildren(h("h2", {}, `Campaign ${id}`), h("p", { class: "error" }, problemText(result))); return; }
    const c = result.data, { total, done, counts } = campaignProgress(c);
    const action = (verb) => h("button", { type: "button", class: verb === "cancel" ? "danger" : "secondary", onclick: async () => {
      const answer = await api(`/api/v1/campaigns/${enc(id)}/${verb}`, { method: "POST" });
      if (!answer.ok) alert(problemText(answer)); load();
    } }, verb[0].toUpperCase() + verb.slice(1));
    main.replaceChildren(h("h2", {}, `Campaign #${c.id}`), h("p", {}, h("a", { href: "#/firmware" }, "« Firmware")),
      h("section", { class: "card", id: "campaign-summary" },
        factsList([["Status", c.status + (c.pauseReason ? ` (${c.pauseReason})` : "")], ["Wave", `${(c.currentWave ?? 0) + 1} of ${c.waveCount ?? 1}`],
          ["Finished", `${done} of ${total}`]]),
        h("progress", { class: "progress", id: "campaign-progress", max: total || 1, value: done, "aria-label": `${done} of ${total} finished` }),
        h("ul", { class: "counts", "aria-label": "Devices by state" }, Object.entries(counts).map(([s, n]) => h("li", { dataset: { state: s } }, h("strong", {}, n), s))),
        h("div", { class: "actions" }, c.status === "running" ? action("pause") : "", c.status === "paused" ? action("resume") : "",
          ["running", "paused"].includes(c.status) ? action("cancel") : "")),
      h("div", { class: "table-wrap" }, h("table", { id: "campaign-devices" },
        h("thead", {}, h("tr", {}, ["Endpoint", "State", "Update", "Reason"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, (c.devices || []).map((d) => h("tr", {}, h("td", {}, h("a", { href: `#/endpoint/${enc(d.endpoint)}` }, d.endpoint)),
          h("td", {}, d.state), h("td", {}, text(d.updateId)), h("td", {}, text(d.reason || d.failureReason))))))));
  };
  await load();
  const timer = setInterval(() => { if (signal.aborted) clearInterval(timer); else load(); }, 3000);
}

// ---------- start ----------
document.getElementById("sign-out").addEventListener("click", () => { sessionStorage.removeItem(TOKEN_KEY); showSignIn("Signed out."); });
document.getElementById("openapi-link").addEventListener("click", async (event) => {
  // The document needs a token: fetch it and show it as text.
  event.preventDefault();
  const response = await api("/api/v1/openapi.yaml", { raw: true });
  window.open(URL.createObjectURL(new Blob([await response.text()], { type: "text/plain" })), "_blank");
});
// A sign-in link (`/#token=...`, as `make run` prints it) stores the token and leaves the address bar clean, also
// when it is pasted into a tab that already shows the dashboard.
function takeFragmentToken() {
  const fragmentToken = /^#token=([^&]+)/.exec(location.hash);
  if (!fragmentToken) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fragmentToken[1]));
  history.replaceState(null, "", location.pathname + "#/");
}
takeFragmentToken();
window.addEventListener("hashchange", () => { takeFragmentToken(); route(); });
route();
