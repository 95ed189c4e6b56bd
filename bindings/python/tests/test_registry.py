"""The model classes are generated from the core's registry (``_clv.registry()``):
every entry has a public class of its family with its parameters, whatever
their number, and the committed stub ``clv/models.pyi`` is the generated one."""

import importlib.util
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

import clv
from clv import _clv
from clv import models

SPECS = _clv.registry()
GEN = Path(__file__).resolve().parents[1] / "scripts" / "gen_models.py"


def values(spec):
    # valid for every model of the registry: positive, Gamma-Gamma's q > 1
    return {p: 1.5 + 0.25 * i for i, p in enumerate(spec["params"])}


def test_registry_lists_the_published_models_in_order():
    keys = [s["key"] for s in SPECS]
    published = ["bg_nbd", "mbg_nbd", "pareto_nbd", "bg_bb", "gamma_gamma", "sbg"]
    assert [k for k in keys if k in published] == published
    for s in SPECS:
        assert set(s) == {
            "key", "name", "class", "family", "params", "inputs", "reference", "covariates"
        }
        assert s["family"] in ("transaction", "spend", "retention")


def test_registry_says_how_covariates_enter_each_model():
    # the links of the core's registry (Model::COVARIATES): CLVTools' for the
    # transaction models, clv's spend link, pymc-marketing's sBG links
    links = {s["key"]: s["covariates"] for s in SPECS}
    purchase = {"effects": "purchase", "set": "purchase", "params": ["alpha"], "sign": -1}
    beta = {"effects": "dropout", "set": "dropout", "params": ["beta"], "sign": -1}
    assert links["pareto_nbd"] == [purchase, beta]
    assert links["ggom_nbd"] == [purchase, beta]
    ab = {"effects": "dropout", "set": "dropout", "params": ["a", "b"], "sign": 1}
    assert links["bg_nbd"] == links["mbg_nbd"] == [purchase, ab]
    assert links["gamma_gamma"] == [
        {"effects": "spend", "set": "spend", "params": ["v"], "sign": 1}
    ]
    assert [lk["effects"] for lk in links["sbg"]] == ["alpha", "beta"]
    assert links["bg_bb"] == []
    # a model without covariates is refused with the registry's list
    x = np.array([1.0, 2.0]); n = np.array([5.0, 5.0])
    z = np.array([[0.0], [1.0]])
    with pytest.raises(clv.ClvError) as e:
        clv.BetaGeoBetaBinom().fit(x, x, n, purchase_covariates=z)
    assert e.value.code == "NOT_SUPPORTED"
    assert "purchase and dropout covariates for bg-nbd, mbg-nbd, pareto-nbd and ggom-nbd" in str(
        e.value
    )


@pytest.mark.parametrize("spec", SPECS, ids=[s["key"] for s in SPECS])
def test_every_registry_model_has_a_class(spec):
    cls = getattr(clv, spec["class"])
    assert cls is getattr(models, spec["class"]) and spec["class"] in clv.__all__
    family = {"transaction": models.TransactionModel, "spend": models.SpendModel,
              "retention": models.RetentionModel}[spec["family"]]
    assert issubclass(cls, family)
    assert cls.__name__ == spec["class"] and spec["reference"] in cls.__doc__
    m = cls.from_params(**values(spec))
    assert list(m.params) == spec["params"]
    assert m.params == pytest.approx(values(spec))
    assert m.log_likelihood is None and m.fit_info is None
    assert cls.from_json(m.to_json()) == m
    assert pickle.loads(pickle.dumps(m)) == m
    assert repr(m).startswith(f"{spec['name']}(")
    # from_params checks the names against the spec, whatever their number
    with pytest.raises(clv.ClvError) as e:
        cls.from_params(**{k: v for k, v in list(values(spec).items())[:-1]})
    assert e.value.field == spec["params"][-1] and "missing" in str(e.value)
    with pytest.raises(clv.ClvError) as e:
        cls.from_params(**values(spec), extra=1.0)
    assert e.value.field == "extra"
    with pytest.raises(clv.ClvError) as e:
        cls().params
    assert e.value.code == "NOT_FITTED"


@pytest.mark.parametrize("spec", [s for s in SPECS if s["family"] == "transaction"], ids=lambda s: s["key"])
def test_every_transaction_model_predicts(spec):
    m = getattr(clv, spec["class"]).from_params(**values(spec))
    x, tx, t = np.array([0.0, 2.0]), np.array([0.0, 3.0]), np.array([5.0, 5.0])
    p = m.prob_alive(x, tx, t)
    assert p.shape == (2,) and np.all((p >= 0) & (p <= 1))
    kw = dict(zip(spec["inputs"], (x, tx, t)))  # per-customer arguments by their registry names
    np.testing.assert_array_equal(m.prob_alive(**kw), p)
    assert m.expected_purchases(2.0, **kw).shape == (2,)
    assert m.expected_purchases_new(2.0) > 0
    assert 0 <= m.prob_purchases(1, 2.0) <= 1


FIVE = {"key": "five_nbd", "name": "Five/NBD", "class": "FiveNBD", "family": "transaction",
        "params": ["r", "alpha", "b", "s", "beta"], "inputs": ["frequency", "recency", "T"],
        "reference": "a test entry"}


def gen_module():
    spec = importlib.util.spec_from_file_location("gen_models", GEN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_a_five_parameter_entry_gets_a_class_and_a_stub(monkeypatch):
    """What a registry entry with five parameters (Gamma-Gompertz/NBD's shape)
    gives, before such a model is in the core: a class that checks the five
    names and hands them to the core in order, and its typed stub."""
    cls = models._make(FIVE)
    assert issubclass(cls, models.TransactionModel) and cls.__name__ == "FiveNBD"
    with pytest.raises(clv.ClvError) as e:
        cls.from_params(r=1, alpha=2, b=3, s=4)
    assert e.value.field == "beta"
    # all five names accepted and handed on: the core, which has no such model, names the kind
    with pytest.raises(clv.ClvError) as e:
        cls.from_params(r=1, alpha=2, b=3, s=4, beta=5)
    assert e.value.field == "model" and "five_nbd" in str(e.value)
    gen = gen_module()
    monkeypatch.setattr(gen._clv, "registry", lambda: SPECS + [FIVE])
    text = gen.stub()
    assert "class FiveNBD(_TransactionOnFrequencyRecencyT):" in text
    assert "def from_params(cls, *, r: float, alpha: float, b: float, s: float, beta: float) -> FiveNBD: ..." in text
    assert "def fit(self: _S, frequency: Any, recency: Any, T: Any, weights: Any = ..., *," in text


def test_committed_stub_is_the_generated_one():
    gen = gen_module()
    assert gen.STUB.read_text() == gen.stub(), "run python bindings/python/scripts/gen_models.py"
