"""The codebook as a tree: cycle checks and display order. Pure Python; no Django."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class CycleError(ValueError):
    """A code would be its own ancestor; the message names the loop."""


def find_cycle(parents: Mapping[str, str | None]) -> list[str] | None:
    """A loop of codes (each the parent of the next), or None when the tree has none."""
    done: set[str] = set()
    for start in parents:
        path: list[str] = []
        seen: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done:
            if node in seen:
                return path[seen[node] :] + [node]
            seen[node] = len(path)
            path.append(node)
            node = parents.get(node)
        done.update(path)
    return None


def check_tree(parents: Mapping[str, str | None]) -> None:
    """Raise CycleError naming the loop when a code is its own ancestor."""
    loop = find_cycle(parents)
    if loop is not None:
        raise CycleError(
            "the codebook has a cycle: "
            + " → ".join(f"“{name}”" for name in loop)
            + " (a code cannot sit under itself)"
        )


@dataclass(frozen=True)
class Node:
    key: int
    parent: int | None
    position: int
    name: str


def tree_order(nodes: Sequence[Node]) -> list[tuple[int, int]]:
    """(key, depth) for each node, parents before children, siblings by position and name."""
    children: dict[int | None, list[Node]] = {}
    keys = {n.key for n in nodes}
    for n in nodes:
        parent = n.parent if n.parent in keys else None
        children.setdefault(parent, []).append(n)
    for siblings in children.values():
        siblings.sort(key=lambda n: (n.position, n.name.lower()))
    order: list[tuple[int, int]] = []
    stack: list[tuple[Node, int]] = [(n, 0) for n in reversed(children.get(None, []))]
    while stack:
        node, depth = stack.pop()
        order.append((node.key, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(node.key, [])))
    return order
