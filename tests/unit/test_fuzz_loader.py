"""Property-based fuzzing of the case loader (hypothesis).

Whatever bytes an author (or an upload) hands the loader, the outcome is a
checked case or a CaseFileError whose every Problem names the file and a line
inside it: never another exception (a traceback), and, with the database, never
a half-loaded library.
"""

from __future__ import annotations

import copy
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cases.lint import LIBRARY_DIR, CaseFile, CaseFileError, load_catalogue, read_case

C01_TEXT = (LIBRARY_DIR / "C01-lumbar-strain-lift.yaml").read_text()
C01_DATA = yaml.safe_load(C01_TEXT)
def dump(data, **kwargs) -> str:
    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), **kwargs)


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory(prefix="fuzz-cases-") as d:
        yield Path(d)


def read(path: Path, raw: bytes) -> CaseFile | CaseFileError:
    """read_case on these bytes; any exception but CaseFileError fails the test."""
    path.write_bytes(raw)
    try:
        return read_case(path, load_catalogue())
    except CaseFileError as exc:
        assert exc.problems, "a CaseFileError must list at least one problem"
        # YAML breaks lines at \r, \x85, \u2028 and \u2029 too.
        text = raw.decode("utf-8", "replace")
        last_line = max(raw.count(b"\n"), len(re.findall("\r\n|[\r\n\x85\u2028\u2029]", text))) + 1
        for p in exc.problems:
            assert p.path == str(path), p
            assert isinstance(p.line, int) and 1 <= p.line <= last_line, (p, last_line)
            assert p.message.strip(), p
            assert str(p).startswith(f"{path}:{p.line}: ")
        return exc


# -- malformed YAML ---------------------------------------------------------------

YAML_TOKENS = [
    ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "?", "|", ">", "&a ", "*a", "*b", "<<: ", "!!str ", "!!python/object:os.system ",
    "!!binary ", "!!set ", "%YAML 1.2\n", "---\n", "...\n", "'", '"', "#", "\n", "\n  ", "\n    ", "\t", "\\", "\x00",
    "\x85", "\ufeff", "id", "stages", "options", "kind", "history", "C01", "null", "~", "1e9", "0x1F", "yes", "é", "💥",
]
yaml_like = st.lists(st.one_of(st.sampled_from(YAML_TOKENS), st.text(max_size=6)), max_size=80).map("".join)


@FUZZ
@given(raw=st.binary(max_size=3000))
def test_random_bytes_give_a_located_error(workdir, raw):
    assert isinstance(read(workdir / "bytes.yaml", raw), CaseFileError)


@FUZZ
@given(text=yaml_like)
def test_yaml_like_text_gives_a_located_error(workdir, text):
    assert isinstance(read(workdir / "tokens.yaml", text.encode("utf-8", "surrogatepass")), CaseFileError)


@FUZZ
@given(start=st.integers(0, len(C01_TEXT)), length=st.integers(0, 400), insert=yaml_like)
def test_a_damaged_valid_file_never_crashes_the_loader(workdir, start, length, insert):
    text = C01_TEXT[:start] + insert + C01_TEXT[start + length :]
    read(workdir / "damaged.yaml", text.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("depth", [600, 5000])
def test_deeply_nested_yaml_gives_a_located_error(workdir, depth):
    raw = b"id: C01\nobjectives: " + b"[" * depth + b"]" * depth + b"\n"
    result = read(workdir / "deep.yaml", raw)
    assert isinstance(result, CaseFileError)


# -- schema violations of a valid case ----------------------------------------------


def all_paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from all_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from all_paths(value, (*prefix, i))


PATHS = list(all_paths(C01_DATA))[1:]
ID_PATHS = [p for p in PATHS if p[-1] == "id"]
REQUIRED_TOP = ["id", "slug", "title", "setting", "patient", "vignette", "tags", "objectives", "red_flags", "start", "stages"]
WRONG_VALUES = [None, 0, -1, 1.5, True, "", "x" * 5000, [], {}, [None], {"id": None}, [[[]]], "2024-01-01"]
BAD_IDS = ["", " ", "has space", "../../etc/passwd", "-leading", "a" * 65, "Ω", "<script>", "id\n:x"]
BAD_CASE_IDS = [*BAD_IDS, "C1", "c01", "C0001", "X01"]  # a case id is C and 2-3 digits


def get_parent(data, path):
    node = data
    for key in path[:-1]:
        node = node[key]
    return node


def mutate(data, path, how, value):
    parent = get_parent(data, path)
    if how == "drop":
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


mutation = st.tuples(
    st.sampled_from(PATHS),
    st.sampled_from(["drop", "wrong", "bad_id"]),
    st.sampled_from(WRONG_VALUES),
    st.sampled_from(BAD_IDS),
)


@FUZZ
@given(mutations=st.lists(mutation, min_size=1, max_size=4))
def test_schema_mutations_of_a_valid_case_give_a_located_error_or_a_valid_case(workdir, mutations):
    data = copy.deepcopy(C01_DATA)
    for path, how, wrong, bad_id in mutations:
        try:
            parent = get_parent(data, path)
            parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
        if not isinstance(parent, (dict, list)):
            continue  # replaced by a string, which indexes but cannot be assigned to
        mutate(data, path, how, bad_id if how == "bad_id" else copy.deepcopy(wrong))
    read(workdir / "mutated.yaml", dump(data, sort_keys=False, allow_unicode=True).encode())


def line_of(text: str, path) -> int:
    """The 1-based line of the node at `path`, found independently of the loader."""
    node = yaml.compose(text)
    for key in path:
        if isinstance(node, yaml.MappingNode):
            node = next(v for k, v in node.value if k.value == key)
        else:
            node = node.value[key]
    return node.start_mark.line + 1


@settings(FUZZ, max_examples=50)
@given(path=st.sampled_from(ID_PATHS), bad_id=st.sampled_from(BAD_IDS))
def test_a_bad_id_is_reported_on_its_own_line(workdir, path, bad_id):
    if path == ("id",):
        bad_id = BAD_CASE_IDS[BAD_IDS.index(bad_id) % len(BAD_CASE_IDS)]  # reproducible, unlike hash()
    data = copy.deepcopy(C01_DATA)
    mutate(data, path, "bad_id", bad_id)
    text = dump(data, sort_keys=False, allow_unicode=True)
    result = read(workdir / "bad-id.yaml", text.encode())
    assert isinstance(result, CaseFileError), f"{bad_id!r} at {path} was accepted"
    expected = line_of(text, path)
    assert any(p.line == expected for p in result.problems), (expected, [str(p) for p in result.problems])


@settings(FUZZ, max_examples=50)
@given(path=st.sampled_from([p for p in PATHS if len(p) > 1]), wrong=st.sampled_from([None, [], {}, 1.5]))
def test_wrong_types_deep_in_the_case_are_rejected(workdir, path, wrong):
    data = copy.deepcopy(C01_DATA)
    original = get_parent(data, path)[path[-1]]
    assume(type(original) is not type(wrong) and not isinstance(original, bool))
    assume(path[-1] not in ("occupation",) or wrong is not None)
    mutate(data, path, "wrong", wrong)
    result = read(workdir / "wrong-type.yaml", dump(data, sort_keys=False).encode())
    if wrong is None and isinstance(original, list):
        return  # an empty list written as `key:` (null) may still be invalid or not: no crash is the point
    assert isinstance(result, CaseFileError), f"{wrong!r} at {path} was accepted"


@pytest.mark.parametrize("key", REQUIRED_TOP)
def test_dropping_a_required_key_names_it(workdir, key):
    data = {k: v for k, v in C01_DATA.items() if k != key}
    result = read(workdir / f"no-{key}.yaml", dump(data, sort_keys=False).encode())
    assert isinstance(result, CaseFileError)
    assert any(p.message == f"'{key}' is missing" and p.line >= 1 for p in result.problems), [str(p) for p in result.problems]


def test_the_unmutated_case_is_valid(workdir):
    """Control: the mutations above start from a file the loader accepts."""
    result = read(workdir / "valid.yaml", dump(C01_DATA, sort_keys=False).encode())
    assert isinstance(result, CaseFile)


# -- with the database: never a half-loaded library ------------------------------------
# These need the test database (so they are integration tests in a unit file: they
# fuzz the same loader and share its strategies).


def counts():
    from cases.models import Case, CaseVersion, GuidanceItem

    return Case.objects.count(), CaseVersion.objects.count(), GuidanceItem.objects.count()


def good_files(folder: Path, library) -> list[Path]:
    """A changed C01 (would make a new version) and a new case C98 (would make a new case)."""
    changed = dict(copy.deepcopy(C01_DATA), title="Changed title")
    new = dict(copy.deepcopy(C01_DATA), id="C98", slug="fuzz-new-case", title="A new case")
    paths = [folder / "C01-changed.yaml", folder / "C98-new.yaml"]
    for path, data in zip(paths, (changed, new)):
        path.write_text(dump(data, sort_keys=False))
    return paths


@pytest.mark.django_db
@settings(FUZZ, max_examples=20)
@given(mutations=st.lists(mutation, min_size=1, max_size=3), position=st.integers(0, 2))
def test_a_bad_file_among_good_ones_loads_nothing(workdir, library, mutations, position):
    from cases.loading import load_library
    from cases.models import Case

    data = copy.deepcopy(C01_DATA)
    data.update(id="C97", slug="fuzz-bad-case")
    for path, how, wrong, bad_id in mutations:
        try:
            get_parent(data, path)[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
        mutate(data, path, how, bad_id if how == "bad_id" else copy.deepcopy(wrong))
    bad = workdir / "C97-bad.yaml"
    bad.write_text(dump(data, sort_keys=False, allow_unicode=True))
    try:
        read_case(bad, load_catalogue())
    except CaseFileError:
        pass
    else:
        assume(False)  # the mutations happened to leave a valid case
    files = good_files(workdir, library)
    files.insert(position, bad)
    before = counts()
    with pytest.raises(CaseFileError) as exc:
        load_library(files)
    assert {p.path for p in exc.value.problems} == {str(bad)}
    assert counts() == before
    assert Case.objects.get(code="C01").title == library["C01"].title
    assert not Case.objects.filter(code__in=["C97", "C98"]).exists()


@pytest.mark.django_db
def test_the_good_files_alone_do_load(workdir, library):
    """Control for the test above: without the bad file, both good files load."""
    from cases.loading import load_library

    before = counts()
    report = load_library(good_files(workdir, library))
    assert report.new_versions == ["C01"] and report.created == ["C98"]
    assert counts() == (before[0] + 1, before[1] + 2, before[2])


@pytest.mark.django_db
def test_a_clash_with_a_case_already_in_the_database_is_a_located_error(workdir, library):
    """A new case whose slug another case already has in the database: nothing loads,
    and the author gets a located error, not an IntegrityError traceback."""
    from cases.loading import load_library
    from cases.models import Case

    changed, new = good_files(workdir, library)
    data = yaml.safe_load(new.read_text())
    data["slug"] = library["C02"].slug
    new.write_text(dump(data, sort_keys=False))
    before = counts()
    with pytest.raises(CaseFileError) as exc:
        load_library([changed, new])
    assert counts() == before
    assert Case.objects.get(code="C01").title == library["C01"].title
    assert any(p.path == str(new) and p.line >= 1 and data["slug"] in p.message for p in exc.value.problems)
