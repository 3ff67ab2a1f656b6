"""The kit's HCL subset, evaluated over python-hcl2's tree: each construct, its refusals,
and every .tf file the kit ships."""

from __future__ import annotations

from pathlib import Path

import pytest
from hcl2.api import parses_to_tree

from tipsim.errors import StackSourceError
from tipsim.infra.hcl.config import load_texts
from tipsim.infra.hcl.evaluate import Evaluator, Instances, Scope
from tipsim.infra.hcl.values import UNKNOWN
from tipsim.infra.spec import STACKS_DIR, StackSpec


def _expr(text: str):
    return parses_to_tree(f"x = {text}\n").children[0].children[0].children[-1]


def ev(text: str, **scope):
    return Evaluator(Scope(**scope), "t.tf").value(_expr(text))


VIEW = {
    "aws_subnet.public": Instances(True, [{"id": "subnet-a"}, {"id": "subnet-b"}],
                                   [False, False]),
    "aws_instance.blue": Instances(False, [{"ami": "ami-1"}], [True]),
}


@pytest.mark.parametrize("text, expected", [
    ('"plain"', "plain"), ("3", 3), ("1.5", 1.5), ("true", True), ("null", None),
    ('"a-${var.n}-${var.on}"', "a-2-true"), ('"${var.on}"', True),  # lone ${} keeps the type
    ('"$${literal}"', "${literal}"), ("var.on ? 1 : 0", 1), ("!var.on ? 1 : 0", 0),
    ("var.n * 3 + 1 - 2", 5), ("7 % 4", 3), ("8 / 2", 4), ("var.n >= 2 && var.n < 3", True),
    ("var.n == 2 || false", True), ("-var.n", -2), ('["a", var.n]', ["a", 2]),
    ('{ Name = "x", "k-2" = var.n }', {"Name": "x", "k-2": 2}),
    ('cidrsubnet("10.128.0.0/24", 4, 0)', "10.128.0.0/28"),
    ('cidrsubnet("10.129.0.0/24", 1, 1)', "10.129.0.128/25"),
    ('element(["a", "b"], 3)', "b"), ('length("abc")', 3), ('length({ a = 1 })', 1),
    ('lookup({ a = 1 }, "b", 9)', 9), ('merge({ a = 1 }, { b = 2, a = 3 })', {"a": 3, "b": 2}),
    ('concat(["a"], ["b", "c"])', ["a", "b", "c"]), ('format("%s-%03d", "x", 7)', "x-007"),
    ('tolist(["b", "a"])', ["b", "a"]), ('toset(["b", "a", "b"])', ["a", "b"]),
    ('jsonencode({ b = 1, a = [true] })', '{"a":[true],"b":1}'),
    ('coalesce("", "z")', "z"), ('can(regex("^[a-z]+$", "abc"))', True),
    ('can(regex("^[a-z]+$", "A"))', False), ('split("/", "10.0.0.0/16")[1]', "16"),
])
def test_expressions_evaluate_as_terraform_does(text, expected):
    assert ev(text, variables={"n": 2, "on": True}) == expected


def test_references_index_legacy_index_and_splat_read_resources():
    read: set[str] = set()
    scope = {"resources": VIEW, "read": read}
    assert ev("aws_subnet.public[1].id", **scope) == "subnet-b"
    assert ev("aws_subnet.public.0.id", **scope) == "subnet-a"  # the slide's legacy index
    assert ev("aws_subnet.public[*].id", **scope) == ["subnet-a", "subnet-b"]
    assert ev("aws_instance.blue.ami", **scope) == "ami-1"
    assert read == {"aws_subnet.public[0]", "aws_subnet.public[1]", "aws_instance.blue"}
    assert ev("count.index", index=1) == 1
    assert ev("data.aws_ami.u.id", data={"aws_ami": {"u": {"id": "ami-9"}}}) == "ami-9"
    locals_ = {"two": (_expr("var.n * 2"), "t.tf")}
    assert ev("local.two + 1", variables={"n": 2}, locals=locals_) == 5


def test_known_after_apply_propagates_as_in_terraform():
    """A planned instance's unset attribute is unknown; so is anything computed from it,
    except what only needs the shape (length of a list with an unknown element)."""
    scope = {"resources": VIEW}
    assert ev("aws_instance.blue.id", **scope) is UNKNOWN
    assert ev('"x-${aws_instance.blue.id}"', **scope) is UNKNOWN
    assert ev("aws_instance.blue.id == 1 ? 1 : 0", **scope) is UNKNOWN
    assert ev("[aws_instance.blue.id]", **scope) == [UNKNOWN]
    assert ev("length([aws_instance.blue.id])", **scope) == 1
    assert ev('cidrsubnet(aws_instance.blue.id, 1, 0)', **scope) is UNKNOWN
    assert ev("false && aws_instance.blue.id == 1", **scope) is False  # decided on the left


@pytest.mark.parametrize("text, message", [
    ("aws_subnet.public[2].id", "does not exist (count is 2)"),
    ("aws_subnet.public.id", "pick an instance"),
    ("aws_instance.blue[0].ami", "has no count"),
    ("var.missing", "var.missing is not defined"),
    ('cidrsubnet("10.0.0.0/24", 4, 16)', "does not accommodate"),
    ('lookup({ a = 1 }, "b")', "does not exist"),
    ("1 + true", "a number is required"),
])
def test_bad_references_and_calls_name_the_line(text, message):
    with pytest.raises(StackSourceError) as err:
        ev(text, resources=VIEW, variables={})
    assert message in str(err.value) and str(err.value).startswith("t.tf:1:")


REFUSED = {
    "for expression": ('locals {\n  ids = [for s in var.xs : s]\n}\n', 2, "`for` expression"),
    "unknown function": ('locals {\n  a = 1\n  b = sha1("x")\n}\n', 3, "unknown function sha1()"),
    "dynamic block": ('resource "aws_vpc" "v" {\n  dynamic "tag" {\n    for_each = []\n'
                      '    content {}\n  }\n}\n', 2, "`dynamic` block"),
    "module call": ('module "net" {\n  source = "./net"\n}\n', 1, "module call"),
    "for_each": ('resource "aws_vpc" "v" {\n  for_each = {}\n}\n', 2, "`for_each`"),
    "for in count": ('resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n'
                     '  count = length([for s in [1] : s])\n}\n', 3, "`for` expression"),
    "template directive": ('locals {\n  a = "%{ if true }x%{ endif }"\n}\n', 2,
                           "template directive"),
    "syntax error": ('resource "aws_vpc" "v" {\n  cidr_block = \n}\n', 2, "syntax error"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_constructs_outside_the_subset_are_refused_with_file_and_line(case):
    text, line, what = REFUSED[case]
    files = {"main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n', "extra.tf": text}
    with pytest.raises(StackSourceError) as err:
        load_texts("t", files)
    assert str(err.value).startswith(f"extra.tf:{line}: "), str(err.value)
    assert what in str(err.value)


def test_undeclared_references_and_counts_from_resources_are_refused():
    base = 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n'
    for extra, what in (('resource "aws_subnet" "s" {\n  vpc_id = aws_vpc.w.id\n}\n',
                         "aws_vpc.w is not declared"),
                        ('resource "aws_subnet" "s" {\n  count = length(aws_vpc.v.id)\n}\n',
                         "known only after apply"),
                        ('resource "aws_subnet" "s" {\n  vpc_id = self.id\n}\n',
                         "unknown name 'self'")):
        with pytest.raises(StackSourceError, match=what):
            StackSpec.from_texts("t", {"main.tf": base, "s.tf": extra})


def _kit_tf_files() -> list[Path]:
    from tipsim.data import data_dir

    return sorted((data_dir() / STACKS_DIR).glob("*/*.tf"))


def test_every_tf_file_of_the_kit_reads_without_a_refused_construct():
    """Each stack directory loads (syntax, constructs, references checked); any construct the
    evaluator refuses would fail here with its file and line."""
    dirs = sorted({p.parent for p in _kit_tf_files()})
    assert [d.name for d in dirs] == ["datalake", "eks", "talk"]
    for d in dirs:
        spec = StackSpec.load(d)
        assert spec.resources and spec.params_class.create({})


def test_the_talk_stack_carries_the_slides_toggle_lines_verbatim():
    from tipsim.data import data_dir

    text = "\n".join(p.read_text() for p in (data_dir() / STACKS_DIR / "talk").glob("*.tf"))
    squashed = " ".join(text.split())
    assert "count = var.enable_new_ami ? 1 : 0" in squashed
    assert "count = var.enable_new_network ? 1 : 0" in squashed
    assert not list((data_dir() / "stacks").glob("*.json"))


def test_variables_become_validated_inputs_with_ranges():
    spec = StackSpec.load("eks")
    from tipsim.params import field_meta

    meta = field_meta(spec.params_class, "insecure_nodes")
    assert (meta.kind, meta.low, meta.high) == ("int", 1.0, 20.0)
    assert spec.toggles == ["taint_insecure_nodes"]
    with pytest.raises(Exception, match="kubernetes_version"):
        spec.inputs_from({"kubernetes_version": "2.0"})
    assert StackSpec.load("talk").emulator_variables == ["emulator_has_elb"]
