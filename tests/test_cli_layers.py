"""The CLI's own modules import one way: `main` (the console script) loads `cli`, which
registers the commands of `cli_catalog`,
`cli_queue` and `cli_sets` (whose set decisions `cli_queue` reuses), which share only `options`
(arguments, start-up, running a flow) and `output` (printing, which `options` uses to show a
flow's progress); no cycle, no import upward."""

from __future__ import annotations

import grimp

TOP = "ratecard.main"
BELOW = [
    grimp.Layer("ratecard.cli"),
    grimp.Layer(
        "ratecard.cli_catalog",
        "ratecard.cli_queue",
        "ratecard.cli_publish",
        "ratecard.cli_retention",
        independent=True,
    ),
    grimp.Layer("ratecard.cli_sets"),
    grimp.Layer("ratecard.options"),
    grimp.Layer("ratecard.output"),
]
LAYERS: list[grimp.Layer | str] = [TOP, *BELOW]


def test_cli_modules_import_only_downward() -> None:
    graph = grimp.build_graph("ratecard", cache_dir=None)
    placed = {TOP} | {m for layer in BELOW for m in layer.module_tails}
    assert graph.modules - {"ratecard"} == placed, "every CLI module belongs to one layer"
    assert graph.find_illegal_dependencies_for_layers(layers=LAYERS) == set()
