// The pages' charts (ECharts). The numbers come with the page (a json_script block) or are
// fetched (the element's data-url); the words a chart shows come from its element's data-*
// attributes, translated by the template. No page carries an inline script: the
// Content-Security-Policy lets scripts run from the app's own files only.
(function () {
  function byId(id) { return document.getElementById(id); }
  function json(id) { var el = byId(id); return el ? JSON.parse(el.textContent) : null; }
  // Each chart is drawn once per element: htmx swaps in new elements, which are drawn anew.
  function claim(el) {
    if (!el || !window.echarts || el.dataset.drawn) return false;
    el.dataset.drawn = "1";
    return true;
  }
  function fetchJson(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); });
  }

  // The team page: rating and level distributions of the filtered team.
  function team() {
    var holder = byId("team-charts");
    if (!claim(holder)) return;
    var w = holder.dataset;
    fetchJson(w.url).then(function (d) {
      if (!d.rating || !d.rating.labels) return;
      var rating = byId("rating-chart"), level = byId("level-chart");
      echarts.init(rating).setOption({
        tooltip: {}, xAxis: {type: "category", data: d.rating.labels}, yAxis: {type: "value", minInterval: 1},
        series: [{type: "bar", name: w.employees, data: d.rating.counts, label: {show: true, position: "top"}}]
      });
      chartTable(rating, [w.rating, w.employees], d.rating.labels.map(function (l, i) { return [l, d.rating.counts[i]]; }));
      echarts.init(level).setOption({
        tooltip: {trigger: "axis"}, legend: {},
        xAxis: {type: "category", data: d.level.names}, yAxis: {type: "value", minInterval: 1},
        series: [
          {type: "bar", name: w.current, data: d.level.current},
          {type: "bar", name: w.after, data: d.level.proposed}
        ]
      });
      chartTable(level, [w.level, w.current, w.after],
        d.level.names.map(function (n, i) { return [n, d.level.current[i], d.level.proposed[i]]; }));
    });
  }

  // A scorecard: the total score per period with the team average and the rating bands.
  function trend() {
    var el = byId("trend");
    if (!claim(el)) return;
    var w = el.dataset;
    fetchJson(w.url).then(function (d) {
      var bands = (d.bands || []).map(function (b) {
        return {yAxis: b.min, name: b.rating, label: {formatter: b.rating + " " + b.name + " ≥ " + b.min, position: "insideEndTop"}};
      });
      echarts.init(el).setOption({
        tooltip: {trigger: "axis"},
        legend: {top: 0},
        grid: {top: 36, right: 24, bottom: 24, left: 36},
        xAxis: {type: "category", data: d.periods},
        yAxis: {type: "value", min: 0, max: 100},
        series: [
          {type: "line", name: w.total, data: d.total,
           label: {show: true, formatter: function (p) { return d.rating[p.dataIndex] || ""; }},
           markLine: {silent: true, symbol: "none", lineStyle: {type: "dashed", color: "#8a94a0"}, data: bands}},
          {type: "line", name: w.team, data: d.team, lineStyle: {type: "dotted"}}
        ]
      });
      chartTable(el, [w.period, w.total, w.rating, w.team], d.periods.map(function (p, i) {
        var one = function (x) { return x == null ? "—" : (Math.round(x * 10) / 10).toFixed(1); };
        return [p, one(d.total[i]), d.rating[i] || "—", one(d.team[i])];
      }));
    });
  }

  // A cycle: employees per rating in each period.
  function ratings() {
    var el = byId("ratings-chart"), d = json("ratings-data");
    if (!d || !claim(el)) return;
    echarts.init(el).setOption({
      tooltip: {trigger: "axis"},
      legend: {},
      xAxis: {type: "category", data: d.ratings},
      yAxis: {type: "value", minInterval: 1},
      series: d.series.map(function (s) { return {type: "bar", name: s.name, data: s.data}; })
    });
  }

  // A standard's simulation (swapped in by htmx when it finishes): ratings before and after.
  function simulation() {
    var el = byId("simulation-chart"), rows = json("simulation-data");
    if (!rows || !claim(el)) return;
    var w = el.dataset, periods = {};
    rows.forEach(function (r) { periods[r.period] = 1; });
    var several = Object.keys(periods).length > 1;
    var labels = rows.map(function (r) { return several ? r.rating + "\n" + r.period : r.rating; });
    echarts.init(el).setOption({
      aria: {enabled: true},
      tooltip: {trigger: "axis"},
      legend: {top: 0, data: [w.compared, w.version]},
      grid: {top: 40, bottom: several ? 70 : 50, left: 60, right: 20},
      xAxis: {type: "category", data: labels, name: w.rating, nameLocation: "middle", nameGap: several ? 50 : 30, axisLabel: {interval: 0}},
      yAxis: {type: "value", minInterval: 1, name: w.employees, nameLocation: "middle", nameGap: 40},
      series: [
        {type: "bar", name: w.compared, label: {show: true, position: "top"}, data: rows.map(function (r) { return r.before; })},
        {type: "bar", name: w.version, label: {show: true, position: "top"}, data: rows.map(function (r) { return r.after; })}
      ]
    });
  }

  // The intraday page: the chosen KPI per interval (one line for the center, each team led, or
  // oneself) over the contacts handled in each interval as bars on a second axis. The same
  // numbers are in the table the page renders next to it.
  function intraday() {
    var el = byId("intraday-chart"), d = json("intraday-data");
    if (!d || !claim(el)) return;
    var w = el.dataset;
    var series = [{type: "bar", name: w.handled, data: d.handled, yAxisIndex: 1, itemStyle: {color: "#c9d3de"}}];
    d.series.forEach(function (s) { series.push({type: "line", name: s.name, data: s.data, yAxisIndex: 0}); });
    echarts.init(el).setOption({
      aria: {enabled: true},
      tooltip: {trigger: "axis"},
      legend: {top: 0},
      grid: {top: 40, right: 56, bottom: 40, left: 56},
      xAxis: {type: "category", data: d.intervals, name: w.interval, nameLocation: "middle", nameGap: 26},
      yAxis: [
        {type: "value", name: w.kpi, axisLabel: {formatter: d.percent ? "{value}%" : "{value}"}},
        {type: "value", name: w.handled, minInterval: 1, splitLine: {show: false}}
      ],
      series: series
    });
  }


  // The program dashboard across cycles: the cycles where a standard was adopted are marked on
  // every time axis; the level flows are a sankey of levels before and after.
  function program() {
    var d = json("program-data");
    if (!d) return;
    var marks = {silent: true, symbol: "none", lineStyle: {type: "dashed", color: "#8a94a0"},
      label: {formatter: "★"}, data: d.adopted.map(function (c) { return {xAxis: c}; })};
    function stacked(el, series, extra) {
      if (!claim(el)) return;
      echarts.init(el).setOption(Object.assign({
        tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {top: 60, right: 20, bottom: 30, left: 60},
        xAxis: {type: "category", data: d.cycles}, yAxis: {type: "value"},
        series: series.map(function (s) {
          return {type: "bar", stack: "all", name: s.name, data: s.data};
        }).concat([{type: "line", data: [], markLine: marks}])
      }, extra || {}));
    }
    // KPIs in different units share one axis as an index: each against its first cycle = 100
    var kpis = byId("program-kpis");
    if (claim(kpis)) {
      echarts.init(kpis).setOption({
        tooltip: {trigger: "axis"}, legend: {top: 0, type: "scroll"}, grid: {top: 40, right: 20, bottom: 30, left: 60},
        xAxis: {type: "category", data: d.cycles},
        yAxis: {type: "value", scale: true, name: kpis.dataset.index, nameLocation: "middle", nameGap: 45},
        series: d.kpis.map(function (k, i) {
          var base = null;
          k.values.forEach(function (v) { if (base === null && v) base = v; });
          var index = k.values.map(function (v) { return v == null || !base ? null : Math.round(v / base * 1000) / 10; });
          return {type: "line", name: k.label, data: index, connectNulls: true, markLine: i === 0 ? marks : undefined};
        })
      });
    }
    stacked(byId("program-ratings"), d.ratings);
    stacked(byId("program-levels"), d.levels);
    stacked(byId("program-pay"), d.pay);
    var flows = byId("program-flows");
    if (d.flows.length && claim(flows)) {
      var nodes = {};
      d.flows.forEach(function (f) { nodes[f.source] = 1; nodes[f.target] = 1; });
      echarts.init(flows).setOption({
        tooltip: {trigger: "item"},
        series: [{type: "sankey", left: 20, right: 220, top: 10, bottom: 10, nodeWidth: 16,
          emphasis: {focus: "adjacency"}, label: {position: "right"},
          data: Object.keys(nodes).map(function (n) { return {name: n}; }), links: d.flows}]
      });
    }
  }


  function drawAll() { team(); trend(); ratings(); simulation(); program(); intraday(); }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:load", drawAll);
  if (document.readyState !== "loading") drawAll();
})();
