"""Resolvable designs: whole schedules in which no pair of points meets twice.

Every design is a sequence of rounds; a round is a partition of the points 0..v-1 into groups.
Rounds are generated on demand (a round-robin on 5,000 points has 4,999 rounds of 2,500 pairs:
materialising them all would cost gigabytes), and ``meet`` answers "in which round do these two
points share a group?" so that the scheduler can avoid pairs the design still has to use.

Pure Python, no Django.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence

Round = list[tuple[int, ...]]


def is_prime(n: int) -> bool:
    if n < 2:
        return False
    i = 2
    while i * i <= n:
        if n % i == 0:
            return False
        i += 1
    return True


def primitive_root(p: int) -> int:
    factors = {f for f in range(2, p) if (p - 1) % f == 0 and is_prime(f)}
    for g in range(2, p):
        if all(pow(g, (p - 1) // f, p) != 1 for f in factors):
            return g
    raise ValueError(f"no primitive root mod {p}")


class Design:
    """A resolvable design on ``points`` points with ``rounds`` rounds (parallel classes)."""

    kind = "none"
    points = 0
    rounds = 0
    block = 2
    empty: frozenset[int] = frozenset()  # points no group ever contains (holes of the design)

    def round(self, r: int) -> Round:  # pragma: no cover - overridden
        raise NotImplementedError

    def meet(self, a: int, b: int) -> int | None:
        """The round in which points a and b share a group, None when never."""
        raise NotImplementedError  # pragma: no cover

    def params(self) -> dict[str, int]:
        return {}


class RoundRobin(Design):
    """The circle method: a 1-factorisation of K_v (v even); point v-1 is the hub."""

    kind = "round-robin"

    def __init__(self, v: int) -> None:
        if v % 2 or v < 2:
            raise ValueError("round-robin needs an even number of points")
        self.points = v
        self.rounds = v - 1
        self.m = v - 1
        self.half = pow(2, -1, self.m) if self.m > 1 else 0

    def params(self) -> dict[str, int]:
        return {"v": self.points}

    def round(self, r: int) -> Round:
        m = self.m
        out: Round = [(r, m)]
        for i in range(1, m // 2 + 1):
            out.append(((r + i) % m, (r - i) % m))
        return out

    def meet(self, a: int, b: int) -> int | None:
        if a == b:
            return None
        if a == self.m:
            return b
        if b == self.m:
            return a
        return (a + b) * self.half % self.m


class BlowUp(Design):
    """c blocks of m points each (c, m even): K_c's 1-factorisation blown up by cyclic Latin
    shifts gives (c-1)*m rounds in which every pair joins two different blocks, then a
    round-robin inside every block. With blocks = communities, the first (c-1)*m rounds are
    entirely cross-community, which is where the mixing target is won."""

    kind = "blow-up"

    def __init__(self, c: int, m: int) -> None:
        if c % 2 or m % 2 or c < 2 or m < 2:
            raise ValueError("blow-up needs an even number of even-sized blocks")
        self.c, self.m = c, m
        self.points = c * m
        self.rounds = c * m - 1
        self.outer = RoundRobin(c)
        self.inner = RoundRobin(m)

    def params(self) -> dict[str, int]:
        return {"c": self.c, "m": self.m}

    def round(self, r: int) -> Round:
        c, m = self.c, self.m
        out: Round = []
        if r < (c - 1) * m:
            j, s = divmod(r, m)
            for x, y in self.outer.round(j):
                for i in range(m):
                    out.append((x * m + i, y * m + (i + s) % m))
            return out
        for a, b in self.inner.round(r - (c - 1) * m):
            for blk in range(c):
                out.append((blk * m + a, blk * m + b))
        return out

    def meet(self, a: int, b: int) -> int | None:
        m = self.m
        (x, i), (y, i2) = divmod(a, m), divmod(b, m)
        if a == b:
            return None
        if x == y:
            inner = self.inner.meet(i, i2)
            return None if inner is None else (self.c - 1) * m + inner
        j = self.outer.meet(x, y)
        assert j is not None
        first = next(p for p in self.outer.round(j) if x in p)
        s = (i2 - i) % m if first[0] == x else (i - i2) % m
        return j * m + s


class _Field:
    """GF(q) for q prime or q = 4: addition/multiplication tables."""

    def __init__(self, q: int) -> None:
        self.q = q
        if is_prime(q):
            self.add = [[(a + b) % q for b in range(q)] for a in range(q)]
            self.mul = [[a * b % q for b in range(q)] for a in range(q)]
        elif q == 4:
            # GF(4) = {0, 1, w, w+1} as 2-bit vectors; w^2 = w + 1.
            self.add = [[a ^ b for b in range(4)] for a in range(4)]
            exp = [1, 2, 3]
            log = {1: 0, 2: 1, 3: 2}
            self.mul = [
                [0 if a == 0 or b == 0 else exp[(log[a] + log[b]) % 3] for b in range(4)]
                for a in range(4)
            ]
        else:
            raise ValueError(f"GF({q}) is not supported")
        self.neg = [next(b for b in range(q) if self.add[a][b] == 0) for a in range(q)]
        self.inv = [0] + [next(b for b in range(q) if self.mul[a][b] == 1) for a in range(1, q)]


class Affine(Design):
    """Lines of the affine geometry AG(m, q): q^m points, (q^m - 1)/(q - 1) parallel classes of
    q^(m-1) lines of q points. Any two points lie on exactly one line."""

    kind = "affine"

    def __init__(self, q: int, m: int) -> None:
        self.q, self.m = q, m
        self.field = _Field(q)
        self.points = q**m
        self.block = q
        self.digits = [self._digits(x) for x in range(self.points)]
        # Directions normalised so that their first non-zero coordinate is 1.
        self.directions = [d for d in self.digits[1:] if next(c for c in reversed(d) if c) == 1]
        self.rounds = len(self.directions)
        self.index_of = {d: i for i, d in enumerate(self.directions)}

    def params(self) -> dict[str, int]:
        return {"q": self.q, "m": self.m}

    def _digits(self, x: int) -> tuple[int, ...]:
        out = []
        for _ in range(self.m):
            x, d = divmod(x, self.q)
            out.append(d)
        return tuple(out)

    def _number(self, digits: Sequence[int]) -> int:
        x = 0
        for d in reversed(digits):
            x = x * self.q + d
        return x

    def round(self, r: int) -> Round:
        f, d = self.field, self.directions[r]
        steps = [tuple(f.mul[t][c] for c in d) for t in range(self.q)]
        seen = bytearray(self.points)
        out: Round = []
        for x in range(self.points):
            if seen[x]:
                continue
            xd = self.digits[x]
            line = tuple(
                self._number([f.add[a][b] for a, b in zip(xd, s, strict=True)]) for s in steps
            )
            for p in line:
                seen[p] = 1
            out.append(line)
        return out

    def meet(self, a: int, b: int) -> int | None:
        if a == b:
            return None
        f = self.field
        diff = [f.add[x][f.neg[y]] for x, y in zip(self.digits[a], self.digits[b], strict=True)]
        lead = next(c for c in reversed(diff) if c)
        inv = f.inv[lead]
        return self.index_of[tuple(f.mul[inv][c] for c in diff)]


class Kirkman3q(Design):
    """Kirkman triple system KTS(3q) for a prime q = 6t + 1 (the Ray-Chaudhuri–Wilson style
    cyclic construction): points (x, j) with x in GF(q), j in Z_3 have index j*q + x."""

    kind = "kirkman"

    def __init__(self, q: int) -> None:
        if not is_prime(q) or q % 6 != 1:
            raise ValueError("KTS(3q) here needs a prime q = 1 mod 6")
        self.q = q
        self.points = 3 * q
        self.block = 3
        t = (q - 1) // 6
        g = primitive_root(q)
        pw = [pow(g, i, q) for i in range(6 * t)]

        def a_block(i: int) -> tuple[tuple[int, int], ...]:
            return ((pw[i], 0), (pw[(i + 2 * t) % (6 * t)], 1), (pw[(i + 4 * t) % (6 * t)], 2))

        base: list[tuple[tuple[int, int], ...]] = [((0, 0), (0, 1), (0, 2))]
        for i in range(t):
            for j in range(3):
                base.append(((pw[i], j), (pw[i + 2 * t], j), (pw[i + 4 * t], j)))
        base += [a_block(i) for i in range(6 * t) if (i // t) % 2 == 1]
        self._base = base
        self._orbits = [a_block(i) for i in range(6 * t) if (i // t) % 2 == 0]
        self.rounds = q + len(self._orbits)
        # Pairs by (column, column, difference): O(q) entries instead of a table of all pairs.
        self._diff: dict[tuple[int, int, int], tuple[int, int]] = {}
        for kind, blocks in ((0, base), (1, self._orbits)):
            for bi, blk in enumerate(blocks):
                for x, j in blk:
                    for y, j2 in blk:
                        if (x, j) != (y, j2):
                            self._diff[(j, j2, (y - x) % q)] = (kind, bi if kind else x)

    def params(self) -> dict[str, int]:
        return {"q": self.q}

    def round(self, r: int) -> Round:
        q = self.q

        def shift(blk: tuple[tuple[int, int], ...], s: int) -> tuple[int, ...]:
            return tuple(j * q + (x + s) % q for x, j in blk)

        if r < q:
            return [shift(b, r) for b in self._base]
        blk = self._orbits[r - q]
        return [shift(blk, s) for s in range(q)]

    def meet(self, a: int, b: int) -> int | None:
        if a == b:
            return None
        (j, x), (j2, y) = divmod(a, self.q), divmod(b, self.q)
        kind, which = self._diff[(j, j2, (y - x) % self.q)]
        # A base-class block at shift s holds (x, j) when x = u + s; orbit blocks are rounds.
        return (x - which) % self.q if kind == 0 else self.q + which


class Transversal(Design):
    """k columns of q points (q prime, k <= q) cut from the affine plane AG(2, q): q rounds of
    q groups of k, one point per column, every cross-column pair exactly once. Pairs inside a
    column never meet in the design, which leaves room for repairs."""

    kind = "transversal"

    def __init__(self, k: int, q: int) -> None:
        if not is_prime(q) or k > q:
            raise ValueError("transversal design needs a prime q >= k")
        self.k, self.q = k, q
        self.points = k * q
        self.block = k
        self.rounds = q
        self.inv = [0] + [pow(i, -1, q) for i in range(1, q)]

    def params(self) -> dict[str, int]:
        return {"k": self.k, "q": self.q}

    def round(self, r: int) -> Round:
        q, k = self.q, self.k
        return [tuple(i * q + (a + r * i) % q for i in range(k)) for a in range(q)]

    def meet(self, a: int, b: int) -> int | None:
        (i, y), (j, y2) = divmod(a, self.q), divmod(b, self.q)
        if i == j:
            return None
        return (y - y2) * self.inv[(i - j) % self.q] % self.q


def difference_blocks(q: int, k: int, count: int, seed: int = 1) -> list[tuple[int, ...]]:
    """``count`` blocks of k residues mod q whose internal differences are all distinct (a
    partial difference family), found by a seeded randomised greedy search. Blocks whose
    members are also distinct mod k are tried first: a mapping of communities by residue then
    keeps the groups formed along them mixed."""
    rng = random.Random(seed)
    for attempt in range(400):
        spread = attempt < 200
        used: set[int] = set()
        taken: set[int] = set()
        blocks: list[tuple[int, ...]] = []
        for _ in range(count):
            for _ in range(100):
                cand = rng.sample([x for x in range(q) if x not in taken], k)
                diffs = [(a - b) % q for a in cand for b in cand if a != b]
                if spread and len({x % k for x in cand}) < k:
                    continue
                if len(set(diffs)) == len(diffs) and not used & set(diffs):
                    used.update(diffs)
                    taken.update(cand)
                    blocks.append(tuple(sorted(cand)))
                    break
            else:
                break
        if len(blocks) == count:
            return blocks
    raise ValueError(f"no {count} blocks of {k} with distinct differences mod {q}")


class TransversalHoles(Design):
    """A transversal design (k columns of q, q prime) whose last column misses the rows R, a
    union of blocks with distinct internal differences. Each round the k-1 people left by the
    broken groups in every other column are a translate of R: they meet in groups of k along
    the blocks, and distinct differences mean no such pair comes twice. So k*q - |R| people
    get q rounds of full groups of k with no repeat (n = 200, k = 4: q = 53, |R| = 12)."""

    kind = "transversal-holes"

    def __init__(self, k: int, q: int, holes: int, rows: Sequence[int] = ()) -> None:
        if not is_prime(q) or k > q or holes % k or holes * (k - 1) >= q:
            raise ValueError("transversal-holes needs a prime q, k | holes, holes*(k-1) < q")
        self.k, self.q, self.holes = k, q, holes
        self.points = k * q
        self.block = k
        self.rounds = q
        if rows:
            # Stored with the plan, so that a later change to the search cannot move them.
            self.blocks = [tuple(rows[i : i + k]) for i in range(0, len(rows), k)]
        else:
            self.blocks = difference_blocks(q, k, holes // k)
        self.rows = {r for blk in self.blocks for r in blk}
        self.empty = frozenset((k - 1) * q + r for r in self.rows)
        self.inv = [0] + [pow(i, -1, q) for i in range(1, q)]
        # Same-column pair with difference d: which block pair (r, r + d) carries it.
        self.by_diff = {(b - a) % q: a for blk in self.blocks for a in blk for b in blk if a != b}

    def params(self) -> dict[str, int]:
        rows = [r for blk in self.blocks for r in blk]
        return {"k": self.k, "q": self.q, "holes": self.holes} | {
            f"r{i}": r for i, r in enumerate(rows)
        }

    def round(self, r: int) -> Round:
        q, k = self.q, self.k
        out: Round = [
            tuple(i * q + (a + r * i) % q for i in range(k))
            for a in range(q)
            if (a + r * (k - 1)) % q not in self.rows
        ]
        for i in range(k - 1):
            shift = r * (k - 1 - i)
            for blk in self.blocks:
                out.append(tuple(i * q + (x - shift) % q for x in blk))
        return out

    def meet(self, a: int, b: int) -> int | None:
        q, k = self.q, self.k
        (i, y), (j, y2) = divmod(a, q), divmod(b, q)
        if a == b or a in self.empty or b in self.empty:
            return None
        if i == j:
            r0 = self.by_diff.get((y2 - y) % q)
            if r0 is None:
                return None
            # y + shift = r0 with shift = r * (k - 1 - i).
            return (r0 - y) * self.inv[k - 1 - i] % q
        r = (y - y2) * self.inv[(i - j) % q] % q
        line = (y - r * i) % q
        return None if (line + r * (k - 1)) % q in self.rows else r


@functools.lru_cache(maxsize=16)
def build(kind: str, params: tuple[tuple[str, int], ...]) -> Design:
    """The design of a kind with its parameters (cached: affine and Kirkman precompute tables)."""
    p = dict(params)
    if kind == "round-robin":
        return RoundRobin(p["v"])
    if kind == "blow-up":
        return BlowUp(p["c"], p["m"])
    if kind == "affine":
        return Affine(p["q"], p["m"])
    if kind == "kirkman":
        return Kirkman3q(p["q"])
    if kind == "transversal":
        return Transversal(p["k"], p["q"])
    if kind == "transversal-holes":
        rows = [p[f"r{i}"] for i in range(p["holes"]) if f"r{i}" in p]
        return TransversalHoles(p["k"], p["q"], p["holes"], rows)
    raise ValueError(f"unknown design {kind!r}")


def candidates(n: int, k: int) -> list[tuple[str, dict[str, int]]]:
    """Designs for n people in groups of k, with the fewest empty points first."""
    out: list[tuple[int, str, dict[str, int]]] = []
    if k == 2:
        v = n + n % 2
        out.append((v, "round-robin", {"v": v}))
    else:
        if k in (3, 4):
            m = 1
            while k**m < n:
                m += 1
            out.append((k**m, "affine", {"q": k, "m": m}))
        if k == 3:
            q = max(7, -(-n // 3))
            while not (is_prime(q) and q % 6 == 1):
                q += 1
            out.append((3 * q, "kirkman", {"q": q}))
        q = max(k, -(-n // k))
        while not is_prime(q):
            q += 1
        out.append((k * q, "transversal", {"k": k, "q": q}))
        holes = k * q - n
        if n % k == 0 and holes and holes * (k - 1) < q:
            # Listed with the holes counted as points: it fits n exactly.
            out.append((n, "transversal-holes", {"k": k, "q": q, "holes": holes}))
    out.sort(key=lambda c: c[0])
    return [(kind, params) for _, kind, params in out]
