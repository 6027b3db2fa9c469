// Builds the findings table from the JSON data block, and sorts and filters it. Every value is
// put in the page with textContent, never as markup.
(function () {
  'use strict';
  var dataNode = document.getElementById('tarsier-data');
  var data = JSON.parse(dataNode.textContent);
  var table = document.getElementById('findings');
  var tbody = table.tBodies[0];
  var filter = document.getElementById('filter');
  var severity = document.getElementById('severity');
  var pkg = document.getElementById('package');
  var count = document.getElementById('count');
  var rank = { error: 3, warning: 2, note: 1, none: 0 };
  var sortKey = 'level';
  var sortDir = -1;

  function keyOf(f, key) {
    switch (key) {
      case 'level': return [rank[f.level] || 0];
      case 'location': return [f.uri, f.line, f.col];
      default: return [String(f[key] || '').toLowerCase()];
    }
  }

  function compare(a, b) {
    var x = keyOf(a, sortKey), y = keyOf(b, sortKey);
    for (var i = 0; i < x.length; i++) {
      if (x[i] < y[i]) return -sortDir;
      if (x[i] > y[i]) return sortDir;
    }
    return a.n - b.n;
  }

  function cell(tr, text) {
    var td = document.createElement('td');
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function render() {
    var q = filter.value.trim().toLowerCase();
    var sev = severity.value;
    var p = pkg.value;
    var rows = data.filter(function (f) {
      if (sev && f.level !== sev) return false;
      if (p && f.package !== p) return false;
      if (!q) return true;
      return [f.rule, f.package, f.location, f.message, f.status, f.level]
        .join('\n').toLowerCase().indexOf(q) !== -1;
    });
    rows.sort(compare);
    var frag = document.createDocumentFragment();
    rows.forEach(function (f) {
      var tr = document.createElement('tr');
      tr.className = 'finding-row';
      tr.setAttribute('data-n', String(f.n));
      var badge = document.createElement('span');
      badge.className = 'badge ' + (rank.hasOwnProperty(f.level) ? f.level : 'none');
      badge.textContent = f.level;
      cell(tr, '').appendChild(badge);
      cell(tr, f.rule);
      cell(tr, f.package);
      var link = document.createElement('a');
      link.href = '#f-' + f.n;
      link.textContent = f.location;
      cell(tr, '').appendChild(link);
      cell(tr, f.message);
      cell(tr, f.status);
      frag.appendChild(tr);
    });
    tbody.textContent = '';
    tbody.appendChild(frag);
    count.textContent = rows.length + ' of ' + data.length + ' findings shown';
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (th.getAttribute('data-key') === sortKey) {
        th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      } else {
        th.removeAttribute('aria-sort');
      }
    });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    th.addEventListener('click', function () {
      var key = th.getAttribute('data-key');
      if (key === sortKey) {
        sortDir = -sortDir;
      } else {
        sortKey = key;
        sortDir = key === 'level' ? -1 : 1;
      }
      render();
    });
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    th.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        th.click();
      }
    });
  });
  filter.addEventListener('input', render);
  severity.addEventListener('change', render);
  pkg.addEventListener('change', render);

  // Initial state from the address, e.g. report.html#q=send&severity=error&sort=rule&dir=asc,
  // so a filtered view can be bookmarked.
  var params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  if (params.has('q')) filter.value = params.get('q');
  function choose(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) { select.value = value; return; }
    }
  }
  if (params.has('severity')) choose(severity, params.get('severity'));
  if (params.has('package')) choose(pkg, params.get('package'));
  var known = ['level', 'rule', 'package', 'location', 'message', 'status'];
  if (known.indexOf(params.get('sort')) !== -1) {
    sortKey = params.get('sort');
    sortDir = sortKey === 'level' ? -1 : 1;
  }
  if (params.get('dir') === 'asc') sortDir = 1;
  if (params.get('dir') === 'desc') sortDir = -1;
  render();
  document.documentElement.setAttribute('data-ready', 'true');
})();
