"""What issue 10 asks to see: plans printed and written as Terraform's, on any directory of
.tf files, and refusals that exit 2 naming the file and line, with nothing applied."""

from __future__ import annotations

import json
import shutil

import pytest

from tipsim.infra.spec import stack_dir

pytestmark = pytest.mark.infra


def talk_vpcs(emulator) -> list[str]:
    return sorted(v["VpcId"] for v in emulator.session.client("ec2").describe_vpcs(
        Filters=[{"Name": "tag:tipsim:stack", "Values": ["talk"]}])["Vpcs"])


def test_flipping_the_toggle_prints_a_replacement_as_terraform_does(emulator, run_cli):
    """After applying the talk stack, enable_new_ami replaces example (a new image forces
    it) and creates example_bionic[0]: 2 to add, 0 to change, 1 to destroy."""
    try:
        code, _, err = run_cli("infra", "apply")
        assert code == 0, err
        code, out, err = run_cli("infra", "plan", "--set", "enable_new_ami=true")
        assert code == 0, err
        assert "  # aws_instance.example must be replaced" in out
        assert "-/+ resource \"aws_instance\" \"example\" {" in out
        ami_line = [x for x in out.splitlines() if x.strip().startswith("~ ami ")][0]
        assert ami_line.endswith("# forces replacement")
        assert "  # aws_instance.example_bionic[0] will be created" in out
        assert "Plan: 2 to add, 0 to change, 1 to destroy." in out
        code, out, err = run_cli("infra", "plan", "--set", "enable_new_ami=true", "--json")
        doc = json.loads(out)
        actions = {c["address"]: c["change"]["actions"] for c in doc["resource_changes"]}
        assert actions["aws_instance.example"] == ["delete", "create"]
        assert actions["aws_instance.example_bionic[0]"] == ["create"]
        assert {a for a, act in actions.items() if act != ["no-op"]} == {
            "aws_instance.example", "aws_instance.example_bionic[0]"}
        example = [c for c in doc["resource_changes"]
                   if c["address"] == "aws_instance.example"][0]
        assert "index" not in example and example["name"] == "example"
        assert example["change"]["replace_paths"] == [["ami"]]
        assert example["change"]["after_unknown"]["id"] is True
        assert example["action_reason"] == "replace_because_cannot_update"
        bionic = [c for c in doc["resource_changes"]
                  if c["address"] == "aws_instance.example_bionic[0]"][0]
        assert bionic["index"] == 0 and bionic["change"]["before"] is None
        assert doc["summary"]["replace"] == 1  # the kit's own fields beside
    finally:
        run_cli("infra", "destroy")


def test_a_copy_with_two_bionic_instances_plans_both(emulator, run_cli, tmp_path):
    copy = tmp_path / "talk-copy"
    shutil.copytree(stack_dir("talk"), copy)
    tf = copy / "feature_toggle.tf"
    text = tf.read_text()
    assert "count = var.enable_new_ami ? 1 : 0" in text
    tf.write_text(text.replace("var.enable_new_ami ? 1 : 0", "var.enable_new_ami ? 2 : 0"))
    code, out, err = run_cli("infra", "plan", "--stack", str(copy), "--set",
                             "enable_new_ami=true", "--json")
    assert code == 0, err
    created = [c["address"] for c in json.loads(out)["resource_changes"]
               if c["type"] == "aws_instance" and c["change"]["actions"] == ["create"]]
    assert {"aws_instance.example_bionic[0]", "aws_instance.example_bionic[1]"} <= set(created)
    code, out, _ = run_cli("infra", "plan", "--stack", str(copy), "--set", "enable_new_ami=true")
    assert "# aws_instance.example_bionic[1] will be created" in out


@pytest.mark.parametrize("line, what", [
    ("  tags = { for k in [\"a\"] : k => k }", "`for` expression"),
    ("  tags = { Name = sha256(\"x\") }", "unknown function sha256()"),
])
def test_refused_constructs_exit_2_naming_file_and_line_and_apply_nothing(
        emulator, run_cli, tmp_path, line, what):
    copy = tmp_path / "talk"
    shutil.copytree(stack_dir("talk"), copy)
    (copy / "extra.tf").write_text('resource "aws_s3_bucket" "extra" {\n  bucket = "x"\n'
                                   f"{line}\n}}\n")
    before = talk_vpcs(emulator)
    for verb in ("plan", "apply"):
        code, out, err = run_cli("infra", verb, "--stack", str(copy))
        assert code == 2, (out, err)
        assert "extra.tf:3:" in err and what in err
        assert len(err.strip().splitlines()) == 1  # one line, no traceback
    assert talk_vpcs(emulator) == before
