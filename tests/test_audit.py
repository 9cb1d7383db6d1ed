"""solvers.audit on damaged result records: any damage is a failed check, never an exception."""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from circuits.errors import LbtError
from solvers.audit import audit_result
from solvers.engines import synthesize_model

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 10),
    st.text(max_size=4),
    st.lists(st.integers(0, 3), max_size=3),
    st.dictionaries(st.sampled_from(["size", "proof", "profiles", "gates"]), st.integers(0, 3), max_size=2),
)


@pytest.fixture(scope="module", params=[("maj:3", "b2", {}), ("par:3", "thr", {}), ("disj:2", "relu", {})])
def proven(request, tmp_path_factory):
    """A proven result record with its proof files in ``base``, as ``lbt synth --proof`` leaves them."""
    spec, model, options = request.param
    base = tmp_path_factory.mktemp(model)
    record = synthesize_model(spec, model, proof_dir=base, **options).to_dict()
    assert record["proven"]
    return record, base


def _paths(value, prefix=()):
    """Every path (tuple of keys and indices) into a JSON value."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


def _replace(record, path, junk):
    damaged = copy.deepcopy(record)
    if not path:
        return junk
    parent = damaged
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = junk
    return damaged


def test_the_undamaged_records_audit(proven):
    record, base = proven
    audit = audit_result(record, base)
    assert audit.ok, audit.failures


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_damaged_field_is_a_failed_check_or_harmless(proven, data):
    record, base = proven
    paths = sorted(_paths(record), key=repr)
    path = data.draw(st.sampled_from(paths))
    junk = data.draw(JUNK)
    damaged = _replace(record, path, junk)
    audit = audit_result(damaged, base)  # must not raise
    assert audit.checks, "an audit always reports at least one check"
    # damage to what the audit checks cannot pass: the witness, the size, the table, the refutations
    if path in {("witness",), ("size",), ("table",), ("n",)}:
        same = json.dumps(junk).lower() == json.dumps(record[path[0]]).lower()  # hex digits in either case
        assert same or not audit.ok, (path, junk)


@pytest.mark.parametrize(
    "spec, model, options",
    [
        ("par:4", "b2", {"depth": 1}),  # one fan-in-2 gate reads 2 of the 4 inputs parity depends on
        ("par:3", "thr", {"depth": 1}),  # parity is not linearly separable (Minsky and Papert)
        ("par:2", "relu", {"max_weight": 0}),  # weights 0: every network computes a constant
    ],
)
def test_a_proven_infeasible_result_audits(spec, model, options, tmp_path):
    record = synthesize_model(spec, model, proof_dir=tmp_path, **options).to_dict()
    assert record["infeasible"] and record["size"] is None
    audit = audit_result(record, tmp_path)
    assert audit.ok, audit.failures


def test_a_false_infeasible_claim_fails(proven):
    record, base = proven
    damaged = dict(record, size=None, witness=None, infeasible=True)
    audit = audit_result(damaged, base)
    assert not audit.ok and any("infeasible" in msg for msg in audit.failures), audit.failures


def test_a_raised_lower_bound_fails(proven):
    """An unproven cell shows its lower bound (≥k): a bound no refutation backs must not pass."""
    record, base = proven
    damaged = dict(record, proven=False, lower_bound=record["size"] + 1)
    audit = audit_result(damaged, base)
    assert not audit.ok and any("lower bound" in msg for msg in audit.failures), audit.failures
    assert audit_result(dict(record, proven=False), base).ok  # the same record with its own bound passes


def test_the_audit_names_the_options_that_narrow_the_question(tmp_path):
    record = synthesize_model("par:4", "b2", depth=1, proof_dir=tmp_path).to_dict()
    assert audit_result(record, tmp_path).question == "par:4 over b2 (depth=1)"
    record = synthesize_model("maj:3", "b2", proof_dir=tmp_path).to_dict()
    assert audit_result(record, tmp_path).question == "maj:3 over b2"  # fan-in 2 is the default


def _only_record(directory):
    (path,) = directory.glob("*.result.json")
    return path, json.loads(path.read_text())


def test_a_relu_size_is_refuted_only_when_every_width_profile_is(cli, tmp_path):
    """A forged record lists, for size 3, only the refuted profile [2] and claims 4 neurons proven minimum.

    maj:4 with 2 hidden layers and weights in [-1, 1] needs 3 neurons (widths [1, 1]); at size 3 the
    run refuted profile [2] before it found [1, 1], so a real certificate of [2] lies in the directory.
    """
    assert cli("synth", "maj:4", "--model", "relu", "--hidden-layers", "2", "--max-weight", "1",
               "--proof", tmp_path, "-q")[0] == 0  # fmt: skip
    path, record = _only_record(tmp_path)
    assert record["size"] == 3 and record["proven"]
    (cert,) = tmp_path.glob("*-s3-p2.certs.json")
    header = json.loads(cert.read_text())
    assert header["widths"] == [2]
    record["refutations"].append({"size": 3, "status": "unsat", "proof": {"profiles": [
        {"widths": [2], "certificates_path": cert.name, "cnf_path": header["cnf"], "proof_path": header["proof"]}]}})  # fmt: skip
    n = record["n"]
    shifted = [
        {**neuron, "weights": [[u + (u >= n), w] for u, w in neuron["weights"]]}
        for neuron in record["witness"]["neurons"]
    ]
    idle = {"weights": [[0, 0]], "bias": 0, "activation": "relu"}  # a legal neuron of layer 1 that does nothing
    record["witness"] = {**record["witness"], "neurons": [idle, *shifted],
                         "outputs": [o + 1 for o in record["witness"]["outputs"]]}  # fmt: skip
    record.update(size=4, lower_bound=4, proven=True)
    path.write_text(json.dumps(record))
    code, out, _ = cli("verify", tmp_path)
    assert code == 1 and "FAILED" in out
    assert "witness: 4 neurons" in out  # the forged witness itself is legal
    assert "size 3: " in out and "width profile [1, 1] not refuted" in out


@pytest.mark.parametrize(
    "spec, model, options",
    [("maj:4", "b2", []), ("par:3", "thr", []), ("par:2", "relu", []), ("maj:4", "relu", ["--max-weight", "1"])],
)
def test_a_record_must_carry_the_name_of_its_table(cli, tmp_path, spec, model, options):
    assert cli("synth", spec, "--model", model, *options, "--proof", tmp_path, "-q")[0] == 0
    path, record = _only_record(tmp_path)
    for name in ["tt:4:6996", "par:4 (B2 minimum)", "maj:4:1", "", None, 7]:
        path.write_text(json.dumps(dict(record, target=name)))
        code, out, _ = cli("verify", tmp_path)
        assert code == 1, name
        if name == "tt:4:6996" and spec == "maj:4":
            assert "target tt:4:6996 has table 6996, the record has fee8" in out
        elif isinstance(name, str) and name:
            assert f"target {name} " in out, out
        else:
            assert "the target name must be a spec string" in out or "does not parse" in out, out
    # the same table under another name is the same question
    alias = "tt:{}:{}".format(record["n"], record["table"])
    path.write_text(json.dumps(dict(record, target=alias)))
    assert cli("verify", tmp_path)[0] == 0


def test_every_certificate_in_a_directory_is_checked(cli, tmp_path):
    """A certificate named in a record whose audit does not read it is still checked on its own."""
    assert cli("synth", "par:3", "--model", "thr", "--proof", tmp_path / "thr", "-q")[0] == 0
    (cert,) = (tmp_path / "thr").glob("*.certs.json")
    assert cli("synth", "maj:3", "--model", "b2", "--proof", tmp_path / "b2", "-q")[0] == 0
    path, record = _only_record(tmp_path / "b2")
    bogus = json.loads(cert.read_text())
    bogus["learned"] = [{"kind": "farkas", "clause": ["x"]}]  # malformed, and the CNF has no such clause
    (tmp_path / "b2" / "bogus.certs.json").write_text(json.dumps(bogus))
    record["refutations"][0]["proof"]["certificates_path"] = "bogus.certs.json"  # a Boolean audit ignores it
    path.write_text(json.dumps(record))
    code, out, err = cli("verify", tmp_path / "b2")
    assert code == 1 and "FAILED" in out and "bogus.certs.json" in out and "Traceback" not in err


@pytest.mark.parametrize(
    "field, value",
    [("size", float("inf")), ("fanin", float("inf")), ("size", "[/oops]"), ("target", "[bold]maj:3")],
)
def test_odd_values_fail_the_check_and_print_as_text(cli, tmp_path, field, value):
    assert cli("synth", "maj:3", "--model", "b2", "--proof", tmp_path, "-q")[0] == 0
    path, record = _only_record(tmp_path)
    if field == "size":
        record["refutations"][0]["size"] = value
    else:
        record[field] = value
    path.write_text(json.dumps(record))  # Infinity is written as JSON's extension, as Python reads it
    code, out, err = cli("verify", tmp_path)
    assert code == 1 and err == "" and "FAIL" in out
    if isinstance(value, str):
        assert value in out  # shown literally, not taken as markup


def test_a_corrupt_compressed_proof_is_rejected_in_one_line(cli, tmp_path):
    assert cli("synth", "maj:3", "--model", "b2", "--proof", tmp_path, "-q")[0] == 0
    proof = next(tmp_path.glob("*-s2.lrat.gz"))
    data = bytearray(proof.read_bytes())
    data[12:20] = b"\xff" * 8  # a valid gzip header, a broken deflate stream
    proof.write_bytes(bytes(data))
    code, out, err = cli("verify", tmp_path)
    assert code == 1 and "cannot read proof" in out and err == ""
    code, out, err = cli("verify-proof", next(tmp_path.glob("*-s2.cnf")), proof)
    assert code == 1 and "cannot read proof" in out


def test_a_size_with_too_many_profiles_is_refused_not_enumerated(tmp_path):
    from solvers.relu.bitblast import MAX_PROFILES, profiles
    from solvers.relu.patterns import ReLUOptions

    options = ReLUOptions(hidden_layers=30, max_weight=1)
    assert len(profiles(12, options)) == 2**10  # compositions of the 11 hidden neurons
    with pytest.raises(LbtError, match="width profiles"):
        profiles(60, options)
    record = synthesize_model("par:2", "relu", max_weight=1, hidden_layers=30, proof_dir=tmp_path).to_dict()
    record["refutations"].append({"size": 60, "proof": {"profiles": []}})
    audit = audit_result(record, tmp_path)
    assert not audit.ok and any(f"at most {MAX_PROFILES}" in msg for msg in audit.failures)
