"""Check tools/demo-model/llama.py and the SentencePiece tokenization of train-llama.py against
the Hugging Face-made llama-gqa fixture (LlamaForCausalLM and the slow LlamaTokenizer, 4.36).

Run from the repository root: python3 tools/demo-model/check-llama-fixture.py [DIR]
(DIR defaults to test/fixtures/causal/llama-gqa).
Compares the decode-step logits of case 0, greedy new tokens of every case one by one and in the
left-padded batch, and the input_ids of every plain-text tokenization case.
"""
import json
import os
import sys

import sentencepiece as spm
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llama import SPECIAL, Llama, encode  # noqa: E402
from t5 import load_safetensors  # noqa: E402

CANDIDATES = ("test/fixtures/causal/llama-gqa",)


def fixture_dir():
    if len(sys.argv) > 1:
        return sys.argv[1]
    for d in CANDIDATES:
        if os.path.exists(os.path.join(d, "expected.json")):
            return d
    raise SystemExit("llama-gqa fixture not found; pass its directory")


def check_model(d, expected):
    config = json.load(open(os.path.join(d, "config.json")))
    model = Llama(config)
    model.load_state_dict(load_safetensors(os.path.join(d, "model.safetensors")), strict=True)
    model.eval()
    step = expected["cases"][0]["first3_decode_step_logits"]
    ids = step["input_ids"]
    prompt_len = len(expected["cases"][0]["input_ids"])
    with torch.no_grad():
        logits = model(torch.tensor([ids]))[0]
    want = torch.tensor(step["logits"])
    got = logits[prompt_len - 1:prompt_len - 1 + want.shape[0]]
    worst = (got - want).abs().max().item()
    assert worst < 1e-4, worst
    eos, pad = config["eos_token_id"], config["pad_token_id"]
    cases = expected["cases"]
    for case in cases:
        got = model.greedy([case["input_ids"]], 20, eos, pad)[0]
        assert got == case["greedy"]["new_tokens"], (case["text"], got)
    batched = expected["batched"]
    prompts = [c["input_ids"] for c in cases]
    for got, case in zip(model.greedy(prompts, 20, eos, pad), cases):
        assert got == case["greedy"]["new_tokens"], ("batched", case["text"], got)
    return (f"model: logits of {want.shape[0]} decode steps max abs diff {worst:.1e}; greedy new tokens "
            f"equal on {len(cases)} cases one by one and in one left-padded batch "
            f"({len(batched['input_ids'])} rows)")


def check_tokenizer(d, expected):
    sp = spm.SentencePieceProcessor(model_file=os.path.join(d, "tokenizer.model"))
    equal, differ, skipped = 0, [], []
    for case in expected["tokenization"]:
        text = case["text"]
        if any(s in text for s in SPECIAL):
            skipped.append(text)
            continue
        if encode(sp, text) == case["input_ids"]:
            equal += 1
        else:
            differ.append(text)
    lines = [f"tokenizer: input_ids equal on {equal} plain-text cases, differ on {len(differ)}"]
    lines += [f"  differs: {t!r}" for t in differ]
    lines += [f"  not checked (special tokens written in the text): {t!r}" for t in skipped]
    return "\n".join(lines)


def main():
    d = fixture_dir()
    expected = json.load(open(os.path.join(d, "expected.json")))
    print(check_model(d, expected))
    print(check_tokenizer(d, expected))


if __name__ == "__main__":
    main()
