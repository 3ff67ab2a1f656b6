// The room board page: polls the board for new results and redraws each scenario's chart.
// Everything attendees sent is shown with textContent, or escaped before plotly sees it
// (plotly reads a few HTML tags in labels), so a name is never markup.
"use strict";
(function () {
  const config = JSON.parse(document.getElementById("board-config").textContent);
  const statusLine = document.querySelector(".tipsim-board-status");
  const root = document.getElementById("scenarios");
  const byScenario = {};
  const views = {};
  let lastId = 0;

  function esc(value) {
    return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;")
      .replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function show(value) {
    if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toPrecision(4);
    if (value === undefined || value === null) return "";
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  }

  // Dotted paths to every number, text or boolean in a result (lists are left out).
  function leaves(obj, prefix, out) {
    for (const [key, value] of Object.entries(obj || {})) {
      const path = prefix ? prefix + "." + key : key;
      if (value !== null && typeof value === "object" && !Array.isArray(value)) leaves(value, path, out);
      else if (["number", "string", "boolean"].includes(typeof value)) out[path] = value;
    }
    return out;
  }

  function metricsOf(name, results) {
    const seen = new Set();
    for (const r of results) Object.keys(leaves(r.results, "", {})).forEach((k) => seen.add(k));
    const key = (config.key_metrics[name] || []).filter((k) => seen.has(k));
    const rest = [...seen].filter((k) => !key.includes(k)).sort();
    return key.concat(rest);
  }

  // Parameters whose values differ across the room: what people changed, most varied first.
  function varyingParams(results) {
    const distinct = {};
    for (const r of results) {
      for (const [k, v] of Object.entries(r.params || {})) {
        (distinct[k] = distinct[k] || new Set()).add(JSON.stringify(v));
      }
    }
    return Object.keys(distinct).filter((k) => distinct[k].size > 1)
      .sort((a, b) => distinct[b].size - distinct[a].size || a.localeCompare(b));
  }

  function fillSelect(select, options, labelOf) {
    const keep = select.value;
    const wanted = JSON.stringify(options);
    if (select.dataset.options === wanted) return;
    select.dataset.options = wanted;
    select.replaceChildren(...options.map((o) => {
      const opt = el("option", "", labelOf(o));
      opt.value = o;
      return opt;
    }));
    if (options.includes(keep)) select.value = keep;
  }

  function ensureView(name) {
    if (views[name]) return views[name];
    const section = el("section", "tipsim-board-scenario tipsim-board-" + name);
    const title = el("h2", "", name + " ");
    const count = el("span", "count", "");
    title.appendChild(count);
    const controls = el("div", "controls");
    const metricLabel = el("label", "", "metric ");
    const metric = el("select", "metric");
    metricLabel.appendChild(metric);
    const paramLabel = el("label", "", "by parameter ");
    const param = el("select", "param");
    paramLabel.appendChild(param);
    controls.append(metricLabel, paramLabel);
    const empty = el("div", "empty", "no results yet: tipsim run " + name + " --share …");
    const chart = el("div", "chart");
    chart.hidden = true;
    const table = el("table", "who");
    section.append(title, controls, empty, chart, table);
    root.appendChild(section);
    controls.hidden = true;
    const view = { section, count, controls, metric, param, empty, chart, table, paramTouched: false };
    metric.addEventListener("change", () => render(name));
    param.addEventListener("change", () => { view.paramTouched = true; render(name); });
    views[name] = view;
    return view;
  }

  // Parameter values in their natural order (numbers by size), as the chart's categories.
  function groupOrder(results, param) {
    if (!param) return ["everyone"];
    const values = [...new Map(results.map((r) => [JSON.stringify(r.params[param]), r.params[param]])).values()];
    const numeric = values.every((v) => typeof v === "number");
    values.sort((a, b) => (numeric ? a - b : show(a).localeCompare(show(b))));
    return values.map((v) => esc(show(v)));
  }

  function traces(results, metric, param) {
    const group = (r) => (param ? esc(show(r.params[param])) : "everyone");
    const rows = results.map((r) => ({ g: group(r), v: leaves(r.results, "", {})[metric], who: esc(r.name) }))
      .filter((row) => row.v !== undefined);
    if (rows.every((row) => typeof row.v === "number")) {
      return [{ type: "box", x: rows.map((r) => r.g), y: rows.map((r) => r.v), text: rows.map((r) => r.who),
        boxpoints: "all", jitter: 0.4, pointpos: 0, name: esc(metric), marker: { size: 9 },
        hovertemplate: "%{text}: %{y}<extra></extra>" }];
    }
    // Labels (decision, winner): how many people got each, per parameter value.
    const groups = groupOrder(results, param).filter((g) => rows.some((r) => r.g === g));
    const labels = [...new Set(rows.map((r) => esc(show(r.v))))];
    return labels.map((label) => {
      const inGroup = groups.map((g) => rows.filter((r) => r.g === g && esc(show(r.v)) === label));
      return { type: "bar", name: label, x: groups, y: inGroup.map((rs) => rs.length),
        text: inGroup.map((rs) => rs.map((r) => r.who).join(", ")), textposition: "inside",
        hovertemplate: label + ": %{y} (%{text})<extra></extra>" };
    });
  }

  function render(name) {
    const results = byScenario[name] || [];
    const view = ensureView(name);
    view.count.textContent = "(" + results.length + " result" + (results.length === 1 ? "" : "s") + ")";
    if (results.length === 0) return;
    const metrics = metricsOf(name, results);
    const params = varyingParams(results);
    fillSelect(view.metric, metrics, (m) => m);
    fillSelect(view.param, [""].concat(params), (p) => p || "(none: everyone together)");
    // Until the facilitator picks one, group by what the room varied most.
    if (!view.paramTouched && params.length) view.param.value = params[0];
    const metric = view.metric.value || metrics[0];
    const param = view.param.value;
    view.empty.hidden = true;
    view.controls.hidden = false;
    view.chart.hidden = false;
    const data = traces(results, metric, param);
    const counts = data.length > 0 && data[0].type === "bar";
    const layout = { margin: { t: 30, r: 20, b: 60, l: 60 }, barmode: "stack", showlegend: counts,
      xaxis: { title: { text: esc(param || "") }, type: "category", categoryorder: "array",
        categoryarray: groupOrder(results, param) },
      yaxis: { title: { text: counts ? "people" : esc(metric) } },
      title: { text: esc(metric) + (param ? " by " + esc(param) : ""), font: { size: 14 } } };
    Plotly.react(view.chart, data, layout, { displaylogo: false, responsive: true });
    drawTable(view.table, results, params, (config.key_metrics[name] || []).slice(0, 4));
  }

  function drawTable(table, results, params, metrics) {
    const head = el("tr");
    ["time", "who", "changed"].concat(metrics).forEach((h) => head.appendChild(el("th", "", h)));
    const rows = [...results].reverse().slice(0, 200).map((r) => {
      const tr = el("tr");
      const values = leaves(r.results, "", {});
      const changed = params.map((p) => p + "=" + show(r.params[p])).join(", ");
      [new Date(r.received_at * 1000).toLocaleTimeString(), r.name, changed]
        .concat(metrics.map((m) => show(values[m])))
        .forEach((cell) => tr.appendChild(el("td", "", cell)));
      return tr;
    });
    table.replaceChildren(head, ...rows);
  }

  async function poll() {
    try {
      const resp = await fetch("api/results?after=" + lastId, {
        headers: { Authorization: "Bearer " + config.token }, cache: "no-store" });
      if (!resp.ok) throw new Error("the board answered " + resp.status);
      const fresh = (await resp.json()).results;
      const changed = new Set();
      for (const r of fresh) {
        (byScenario[r.scenario] = byScenario[r.scenario] || []).push(r);
        lastId = Math.max(lastId, r.id);
        changed.add(r.scenario);
      }
      changed.forEach(render);
      const all = Object.values(byScenario).flat();
      const people = new Set(all.map((r) => r.name)).size;
      statusLine.className = "tipsim-board-status";
      statusLine.textContent = all.length + " results from " + people + " people · checked "
        + new Date().toLocaleTimeString();
    } catch (err) {
      statusLine.className = "tipsim-board-status offline";
      statusLine.textContent = "board unreachable, retrying (" + err.message + ")";
    }
    setTimeout(poll, config.poll_ms);
  }

  config.scenarios.forEach(ensureView);
  poll();
})();
