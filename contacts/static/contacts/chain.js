/* The transmission-chain graph of contacts/chain.html (cytoscape), from the chain API at #graph[data-url]. */
(function () {
  var box = document.getElementById("graph");
  if (!box) return;
  fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var nodes = data.elements.nodes, cases = nodes.filter(function (n) { return n.data.kind === "case"; }).length;
      document.getElementById("chain-summary").textContent =
        cases + " F0 · " + (nodes.length - cases) + " F1 · " + (data.generations_up + data.generations_down + 1) + " " + box.dataset.generationsLabel;
      var cy = cytoscape({
        container: box, elements: data.elements, wheelSensitivity: 0.3,
        layout: {name: "breadthfirst", directed: true, spacingFactor: 1.1,
                 roots: nodes.filter(function (n) { return n.data.kind === "case" && n.data.generation === -data.generations_up; }).map(function (n) { return "#" + n.data.id; })},
        style: [
          {selector: "node", style: {"label": "data(label)", "font-size": 10, "text-wrap": "wrap", "text-max-width": 90, "text-valign": "bottom"}},
          {selector: "node[kind = 'case']", style: {"background-color": "#c0392b", "width": 26, "height": 26}},
          {selector: "node[?root]", style: {"border-width": 4, "border-color": "#222"}},
          {selector: "node[kind = 'contact']", style: {"shape": "round-rectangle", "background-color": "#f0ad4e", "width": 18, "height": 18}},
          {selector: "edge", style: {"curve-style": "bezier", "target-arrow-shape": "triangle", "width": 1.5, "line-color": "#999", "target-arrow-color": "#999"}}
        ]
      });
      window.phongdichChain = cy;
      cy.on("tap", "node", function (evt) {
        var d = evt.target.data();
        if (d.kind === "case" && d.case) { window.location = box.dataset.caseUrl.replace("/0/", "/" + d.case + "/"); }
        if (d.kind === "contact" && d.contact) { window.location = box.dataset.contactUrl.replace("/0/", "/" + d.contact + "/"); }
      });
      box.dataset.ready = "1";
    });
})();
