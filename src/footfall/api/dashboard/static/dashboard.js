// footfall dashboard: fetch each chart's rows from /api/charts/... with the page's filters and draw it.
// A chart is a <figure data-chart="URL" data-spec='{"type": ...}'>; its state is in data-state
// (loading, ready, empty, error) and the number of points drawn in data-points. Each plot shows one
// measure on one value axis (spec.measure is its title), ticks at round values, every number
// formatted the same way (thousands grouped, never 16.662k).
(function () {
  "use strict";

  var COLORS = ["#2563eb", "#f97316", "#16a34a", "#dc2626", "#9333ea", "#0891b2", "#ca8a04", "#db2777"];
  var intFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  var decFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
  var moneyFmt = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var pctFmt = new Intl.NumberFormat(undefined, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var dec1Fmt = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var dec3Fmt = new Intl.NumberFormat(undefined, { minimumFractionDigits: 3, maximumFractionDigits: 3 });

  function human(value, kind) {
    if (value === null || value === undefined || value === "") return "–";
    if (kind === "pct") return pctFmt.format(value);
    if (kind === "money") return moneyFmt.format(value);
    if (kind === "dec1") return dec1Fmt.format(value);
    if (kind === "dec3") return dec3Fmt.format(value);
    if (kind === "pctchange") return (value > 0 ? "+" : "") + decFmt.format(value) + " %";
    if (kind === "datetime") return String(value).replace("T", " ").slice(0, 16) + " UTC";
    if (typeof value === "number") return Number.isInteger(value) ? intFmt.format(value) : decFmt.format(value);
    return String(value);
  }

  function label(spec, column) {
    return (spec.labels && spec.labels[column]) || column.replace(/_/g, " ");
  }

  function fmtOf(spec, column) {
    return (spec.format && spec.format[column]) || "";
  }

  function axisFormat(kind) {
    if (kind === "pct") return "~%";
    return ",~r";
  }

  function hoverFormat(kind) {
    return kind === "pct" ? ".1%" : ",.2~f";
  }

  function baseLayout(spec) {
    return {
      margin: { l: spec.type === "hbar" ? 170 : 60, r: 20, t: (spec.y || []).length > 1 ? 34 : 10, b: 50 },
      height: spec.height || 320,
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      font: { family: "system-ui, sans-serif", size: 12 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      separators: (1.5).toLocaleString().charAt(1) + ",",
    };
  }

  function traces(spec, rows) {
    var out = [];
    var rowsShown = spec.limit ? rows.slice(0, spec.limit) : rows;
    var x = rowsShown.map(function (r) { return r[spec.x]; });
    (spec.y || []).forEach(function (col, i) {
      var y = rowsShown.map(function (r) { return r[col]; });
      var kind = fmtOf(spec, col);
      var t = {
        name: label(spec, col),
        marker: { color: COLORS[i % COLORS.length] },
        hovertemplate: "%{" + (spec.type === "hbar" ? "y" : "x") + "}: %{" + (spec.type === "hbar" ? "x" : "y") +
          ":" + hoverFormat(kind) + "}" + (kind === "pctchange" ? "%" : "") + "<extra>" + label(spec, col) + "</extra>",
      };
      if (spec.type === "hbar") {
        t.type = "bar"; t.orientation = "h"; t.x = y; t.y = x;
      } else {
        t.type = spec.type === "line" || (spec.lines || []).indexOf(col) >= 0 ? "scatter" : "bar";
        t.mode = "lines"; t.x = x; t.y = y;
      }
      out.push(t);
    });
    return out;
  }

  function drawPlot(figure, spec, rows) {
    var el = figure.querySelector(".plot");
    var data, layout = baseLayout(spec);
    if (spec.type === "heatmap") {
      var xs = [], ys = [];
      rows.forEach(function (r) {
        if (xs.indexOf(r[spec.x]) < 0) xs.push(r[spec.x]);
        if (ys.indexOf(r[spec.y[0]]) < 0) ys.push(r[spec.y[0]]);
      });
      var z = ys.map(function () { return xs.map(function () { return 0; }); });
      rows.forEach(function (r) { z[ys.indexOf(r[spec.y[0]])][xs.indexOf(r[spec.x])] = r[spec.z]; });
      data = [{ type: "heatmap", x: xs, y: ys, z: z, colorscale: "Blues", reversescale: true, hovertemplate: "%{y} %{x}:00 — %{z:,} " +
        label(spec, spec.z) + "<extra></extra>" }];
      layout.yaxis = { autorange: "reversed", title: { text: label(spec, spec.y[0]) } };
      layout.xaxis = { title: { text: label(spec, spec.x) }, dtick: 2 };
    } else if (spec.type === "funnel") {
      data = [{ type: "funnel", y: rows.map(function (r) { return r[spec.x]; }),
        x: rows.map(function (r) { return r[spec.y[0]]; }), texttemplate: "%{value:,}<br>%{percentInitial:.0%}",
        hovertemplate: "%{y}: %{x:,}<extra></extra>", marker: { color: COLORS[0] } }];
      layout.margin.l = 130;
    } else {
      data = traces(spec, rows);
      var yKind = fmtOf(spec, (spec.y || [])[0]);
      var valueAxis = { tickformat: axisFormat(yKind), ticksuffix: yKind === "pctchange" ? "%" : "",
        title: { text: spec.measure || "" }, rangemode: "tozero", nticks: 7, automargin: true };
      if (spec.type === "hbar") {
        var bars = Math.min(rows.length, spec.limit || rows.length);
        layout.height = Math.max(layout.height, bars * 22 * Math.max(1, (spec.y || []).length * 0.6) + 90);
        layout.xaxis = valueAxis;
        layout.yaxis = { autorange: "reversed", type: "category", automargin: true };
      } else {
        layout.yaxis = valueAxis;
        layout.xaxis = { type: spec.xtype || "-", automargin: true };
        if (spec.xtitle) layout.xaxis.title = { text: spec.xtitle };
        if (spec.xformat) layout.xaxis.tickformat = axisFormat(spec.xformat);
      }
      if (spec.stack) layout.barmode = "stack";
    }
    return Plotly.newPlot(el, data, layout, { responsive: true, displaylogo: false }).then(function () {
      return data.reduce(function (n, t) { return n + (t.z ? t.z.length * t.z[0].length : (t.x || []).length); }, 0);
    });
  }

  function drawTable(figure, spec, rows) {
    var cols = spec.columns || Object.keys(rows[0]);
    var shown = spec.limit ? rows.slice(0, spec.limit) : rows;
    var html = "<table><thead><tr>" + cols.map(function (c) {
      return "<th scope=\"col\">" + escapeHtml(label(spec, c)) + "</th>";
    }).join("") + "</tr></thead><tbody>";
    shown.forEach(function (r) {
      html += "<tr>" + cols.map(function (c) {
        var v = r[c], kind = fmtOf(spec, c);
        var num = typeof v === "number" ? " class=\"num\"" : "";
        return "<td" + num + ">" + escapeHtml(human(v, kind)) + "</td>";
      }).join("") + "</tr>";
    });
    figure.querySelector(".plot").innerHTML = html + "</tbody></table>";
    return Promise.resolve(shown.length);
  }

  function drawCohorts(figure, spec, rows) {
    var cohorts = [], weeks = 0, cells = {};
    rows.forEach(function (r) {
      if (!cells[r.cohort_week]) { cells[r.cohort_week] = { size: r.cohort_users }; cohorts.push(r.cohort_week); }
      cells[r.cohort_week][r.week_number] = r.retention;
      weeks = Math.max(weeks, r.week_number + 1);
    });
    var html = "<table class=\"cohorts\"><thead><tr><th scope=\"col\">cohort (week of first session)</th>" +
      "<th scope=\"col\">users</th>";
    for (var w = 0; w < weeks; w++) html += "<th scope=\"col\">week " + w + "</th>";
    html += "</tr></thead><tbody>";
    cohorts.forEach(function (c) {
      html += "<tr><th scope=\"row\">" + escapeHtml(c) + "</th><td class=\"num\">" + human(cells[c].size) + "</td>";
      for (var k = 0; k < weeks; k++) {
        var v = cells[c][k];
        var style = v === undefined ? "" : " style=\"background: rgba(37, 99, 235, " + (0.1 + 0.8 * v).toFixed(2) +
          "); color: " + (v > 0.5 ? "#fff" : "inherit") + "\"";
        html += "<td class=\"num\"" + style + ">" + (v === undefined ? "" : pctFmt.format(v)) + "</td>";
      }
      html += "</tr>";
    });
    figure.querySelector(".plot").innerHTML = html + "</tbody></table>";
    return Promise.resolve(rows.length);
  }

  function drawKpis(figure, spec, rows) {
    var r = rows[0];
    figure.querySelector(".plot").innerHTML = "<dl class=\"kpis\">" + spec.y.map(function (c) {
      return "<div><dt>" + escapeHtml(label(spec, c)) + "</dt><dd>" + escapeHtml(human(r[c], fmtOf(spec, c))) +
        (spec.units && spec.units[c] ? " <small>" + escapeHtml(spec.units[c]) + "</small>" : "") + "</dd></div>";
    }).join("") + "</dl>";
    return Promise.resolve(spec.y.filter(function (c) { return r[c] !== null; }).length);
  }

  // spec.flag = {column, text}: a visible label when any row has the column set (e.g. a model's fallback)
  function showFlag(figure, spec, rows) {
    var old = figure.querySelector(".flag");
    if (old) old.remove();
    if (!spec.flag || !rows.some(function (r) { return r[spec.flag.column]; })) return;
    var flag = document.createElement("p");
    flag.className = "flag";
    flag.textContent = spec.flag.text;
    figure.insertBefore(flag, figure.querySelector(".status"));
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[ch];
    });
  }

  function setState(figure, state, message) {
    figure.dataset.state = state;
    figure.setAttribute("aria-busy", state === "loading" ? "true" : "false");
    var status = figure.querySelector(".status");
    status.textContent = message || "";
    status.hidden = !message;
  }

  function chartUrl(figure) {
    var url = new URL(figure.dataset.chart, window.location.origin);
    var page = new URLSearchParams(window.location.search);
    page.forEach(function (value, key) { if (!url.searchParams.has(key) && value !== "") url.searchParams.set(key, value); });
    return url;
  }

  function load(figure) {
    var spec = JSON.parse(figure.dataset.spec);
    setState(figure, "loading", "Loading…");
    return fetch(chartUrl(figure), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || response.statusText);
          return body.rows;
        });
      })
      .then(function (rows) {
        var counted = spec.type === "heatmap" ? spec.z : spec.type === "funnel" ? spec.y[0] : null;
        var nothing = counted ? rows.every(function (r) { return !r[counted]; })  // every cell 0
          : spec.type === "kpis" && rows.every(function (r) { return spec.y.every(function (c) { return r[c] === null; }); });
        if (!rows.length || nothing) {
          figure.dataset.points = "0";
          setState(figure, "empty", spec.empty || "No data for these filters.");
          return;
        }
        showFlag(figure, spec, rows);
        var draw = { table: drawTable, cohorts: drawCohorts, kpis: drawKpis }[spec.type] || drawPlot;
        if (draw !== drawPlot) {  // tables and figures are read as they are, not as one image
          var plot = figure.querySelector(".plot");
          plot.removeAttribute("role");
          plot.removeAttribute("aria-label");
        }
        return draw(figure, spec, rows).then(function (points) {
          figure.dataset.points = String(points);
          setState(figure, "ready", "");
        });
      })
      .catch(function (error) {
        figure.dataset.points = "0";
        setState(figure, "error", (spec.onError || "Could not load this chart: ") + error.message);
      });
  }

  function init() {
    var form = document.querySelector("form.filters");
    if (form) {
      // selects apply at once; empty fields are left out of the URL so shared links stay short
      form.querySelectorAll("select").forEach(function (s) {
        s.addEventListener("change", function () { form.requestSubmit(); });
      });
      form.addEventListener("formdata", function (event) {
        Array.from(event.formData.entries()).forEach(function (entry) {
          if (entry[1] === "") event.formData.delete(entry[0]);
        });
      });
    }
    var figures = Array.from(document.querySelectorAll("figure[data-chart]"));
    Promise.all(figures.map(load)).then(function () { document.body.dataset.charts = "done"; });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
