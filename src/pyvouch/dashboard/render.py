"""The dashboard's pages as text: Jinja2 templates shipped in the package (``templates/``),
autoescaping on for every template, whatever its name.

Pages are written under the output folder as ``index.html``, ``repositories/<slug>.html`` and
``packages/<slug>.html``; links between them are relative, so the folder works from a
``file://`` URL and from any static server. Each page's Content-Security-Policy (`CSP`) allows
no script and no request of any kind: only inline styles and ``data:`` images.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined

from pyvouch import __version__
from pyvouch.dashboard import charts
from pyvouch.dashboard.gather import Dashboard, PackagePage, RepositoryPage, TierDay

CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)
INDEX = "index.html"


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("pyvouch.dashboard", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda share: f"{share * 100:.1f}%"
    env.filters["when"] = _when
    env.globals.update(CSP=CSP, version=__version__, status_colour=charts.status_colour)
    return env


def _when(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def tier_chart(trend: list[TierDay]) -> charts.LineChart | None:
    series: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for point in trend:
        series[point.tier].append((point.day, point.share))
    return charts.share_lines(dict(sorted(series.items())))


def _tier_table(trend: list[TierDay]) -> tuple[list[str], list[tuple[date, dict[str, TierDay]]]]:
    tiers = sorted({p.tier for p in trend})
    rows: dict[date, dict[str, TierDay]] = defaultdict(dict)
    for point in trend:
        rows[point.day][point.tier] = point
    return tiers, sorted(rows.items(), reverse=True)


def overview_page(env: Environment, board: Dashboard) -> str:
    bars = charts.share_bars(
        [
            (r.repository, r.latest.share_verified, f"repositories/{r.slug}.html")
            for r in board.repositories
        ]
    )
    tiers, tier_rows = _tier_table(board.trend)
    return env.get_template("overview.html.j2").render(
        board=board,
        root="",
        bars=bars,
        trend_chart=tier_chart(board.trend),
        tiers=tiers,
        tier_rows=tier_rows,
        packages=board.package_slugs(),
        repo_slug=board.repository_slug,
    )


def repository_page(env: Environment, board: Dashboard, repo: RepositoryPage) -> str:
    tiers, tier_rows = _tier_table(repo.trend)
    scans_chart = charts.share_lines(
        {"verified share": [(s.scanned_at.date(), s.share_verified) for s in reversed(repo.scans)]}
    )
    return env.get_template("repository.html.j2").render(
        board=board,
        root="../",
        repo=repo,
        trend_chart=tier_chart(repo.trend),
        scans_chart=scans_chart,
        tiers=tiers,
        tier_rows=tier_rows,
        packages=board.package_slugs(),
    )


def package_page(env: Environment, board: Dashboard, package: PackagePage) -> str:
    statuses = sorted({s for _, counts in package.weeks for s in counts})
    return env.get_template("package.html.j2").render(
        board=board,
        root="../",
        package=package,
        stack=charts.status_stack(package.weeks),
        statuses=statuses,
        repo_slug=board.repository_slug,
    )


def pages(board: Dashboard) -> Iterator[tuple[str, str]]:
    """Every page as ``(path relative to the output folder, HTML)``."""
    env = environment()
    yield INDEX, overview_page(env, board)
    for repo in board.repositories:
        yield f"repositories/{repo.slug}.html", repository_page(env, board, repo)
    for package in board.packages:
        yield f"packages/{package.slug}.html", package_page(env, board, package)
