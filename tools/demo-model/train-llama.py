"""Train the bundled decoder-only demo model (models/demo-llama) from scratch on CPU.

Same three tasks, held-out sets and training-stream exclusions as models/demo-t5 (train.py);
the tokenizer is the SentencePiece BPE one of the llama-gqa fixture, used verbatim. One example
is `<s>` + prompt + " " + answer + `</s>`, tokenized as one text: the space before the answer is
the `▁` of the first answer token, so the model emits the separator itself and the served
prompt is exactly the task text. The loss covers the answer tokens and `</s>` only.

Usage (from the repository root; Debian's python3 with python3-torch, python3-sentencepiece and
libopenblas0-pthread), see models/demo-llama/README.md for the runs that made the shipped model:
  OPENBLAS_NUM_THREADS=1 nice -n 10 python3 tools/demo-model/train-llama.py --work W --steps N
`--resume` continues from W/ckpt.pt, `--export-only` rewrites the model directory and the fixture.
"""
import argparse
import json
import os
import random
import shutil
import sys
import time

import sentencepiece as spm
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tasks import TASKS, held_out, make_example  # noqa: E402
from llama import BOS, EOS, PAD, Llama, encode  # noqa: E402
from t5 import save_safetensors  # noqa: E402
from export import dump_json, write_greedy_fixture  # noqa: E402
from train import (EVAL_SEED, FIXTURE_SEED, Batches as T5Batches, accuracy, add_common_args,  # noqa: E402
                   backprop, decode_ids, keep_training, lr_at, resume_step, save_ckpt,
                   training_exclusions)

MAX_NEW_TOKENS = 48
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "tokenizer_config.json",
                   "special_tokens_map.json", "added_tokens.json")
TOKENIZER_SOURCES = ("models/demo-llama", "test/fixtures/causal/llama-gqa")


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default="models/demo-llama")
    p.add_argument("--fixture", default="test/demo-model/__fixtures__/llama-torch-greedy.json")
    p.add_argument("--work", default="tmp/demo-llama-work", help="checkpoint (tmp/ is git-ignored)")
    p.add_argument("--tokenizer", default="", help="folder with the llama-gqa tokenizer files")
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--intermediate", type=int, default=384)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--kv-heads", type=int, default=2)
    add_common_args(p, steps=3000, eval_every=250)
    return p.parse_args()


def tokenizer_dir(args):
    for d in ([args.tokenizer] if args.tokenizer else TOKENIZER_SOURCES):
        if all(os.path.exists(os.path.join(d, f)) for f in TOKENIZER_FILES):
            return d
    raise SystemExit("tokenizer files not found; pass --tokenizer DIR (the llama-gqa fixture)")


def model_config(args, vocab):
    """LlamaConfig as transformers 4.36 writes it (save_pretrained), without transformers_version."""
    return {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": BOS, "eos_token_id": EOS, "hidden_act": "silu", "hidden_size": args.hidden,
        "initializer_range": 0.02, "intermediate_size": args.intermediate,
        "max_position_embeddings": 256, "model_type": "llama", "num_attention_heads": args.heads,
        "num_hidden_layers": args.layers, "num_key_value_heads": args.kv_heads, "pad_token_id": PAD,
        "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": None, "rope_theta": 10000.0,
        "tie_word_embeddings": False, "torch_dtype": "float32", "use_cache": True, "vocab_size": vocab,
    }


def example_ids(sp, src, tgt):
    """(ids, prompt length): `<s>` prompt ▁answer `</s>`, the prompt's ids a prefix of the whole."""
    prompt = encode(sp, src)
    ids = encode(sp, src + " " + tgt) + [EOS]
    assert ids[:len(prompt)] == prompt, (src, tgt)
    return ids, len(prompt)


def collate(batch):
    """Right-padded inputs/labels; labels are -100 except where the next token is answer or eos."""
    L = max(len(ids) for ids, _ in batch) - 1
    inp, lab, mask = [], [], []
    for ids, p in batch:
        n = len(ids) - 1
        inp.append(ids[:-1] + [PAD] * (L - n))
        lab.append([-100] * (p - 1) + ids[p:] + [-100] * (L - n))
        mask.append([1] * n + [0] * (L - n))
    t = lambda rows: torch.tensor(rows, dtype=torch.long)  # noqa: E731
    return t(inp), t(mask), t(lab)


class Batches(T5Batches):
    """demo-t5's stream of length-bucketed batches (chunk k depends only on (seed, k)), of Llama examples."""

    def __init__(self, sp, args, exclude):
        super().__init__(sp, args, exclude)
        self.weights = [float(w) for w in args.mix.split(",")]

    def chunk(self, k):
        rng = random.Random(self.args.seed * 100003 + k)
        n = self.args.batch * 32
        rows = []
        while len(rows) < n:
            task = rng.choices(TASKS, weights=self.weights)[0]
            src, tgt = make_example(task, rng.random)
            if src not in self.exclude:
                rows.append(example_ids(self.sp, src, tgt))
        rows.sort(key=lambda r: len(r[0]))
        bs = [rows[i:i + self.args.batch] for i in range(0, n, self.args.batch)]
        rng.shuffle(bs)
        return [collate(b) for b in bs]


def greedy_outputs(model, prompts, batch):
    """Greedy new tokens per prompt; batch 1 is the reference (no padding anywhere)."""
    model.eval()
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    outs = [None] * len(prompts)
    for s in range(0, len(order), batch):
        idx = order[s:s + batch]
        for i, r in zip(idx, model.greedy([prompts[i] for i in idx], MAX_NEW_TOKENS, EOS, PAD)):
            outs[i] = r
    model.train()
    return outs


def make_optimizer(model, args):
    decay = [p for n, p in model.named_parameters() if not n.endswith("norm.weight")]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("norm.weight")]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                              {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.98))


def export_model(out, model, cfg, tok_dir):
    """config.json, generation_config.json, model.safetensors and the tokenizer files into out."""
    os.makedirs(out, exist_ok=True)
    save_safetensors(model.state_dict(), os.path.join(out, "model.safetensors"))
    dump_json(os.path.join(out, "config.json"), cfg)
    dump_json(os.path.join(out, "generation_config.json"), {
        "bos_token_id": BOS, "eos_token_id": EOS, "pad_token_id": PAD, "max_new_tokens": MAX_NEW_TOKENS})
    for f in TOKENIZER_FILES:
        src, dst = os.path.join(tok_dir, f), os.path.join(out, f)
        if os.path.abspath(src) != os.path.abspath(dst):
            shutil.copyfile(src, dst)


LLAMA_ABOUT = ("Greedy outputs of the PyTorch reference (tools/demo-model/llama.py) for models/demo-llama, "
               "one prompt at a time. input_ids are the prompt with <s> 1; output_ids are the new tokens, "
               "ending with </s> 2 unless max_new_tokens was reached; output_text is their decode "
               "without special tokens (the leading space of the first answer token dropped).")


def write_predict_files(out, sp, items, prompts, outs):
    """The /infer verify pair: two held-out prompts per task and PyTorch's answers to them. A
    causal model's /infer answers the whole decoded sequence, prompt included (as transformers'
    generate + decode(skip_special_tokens=True) does)."""
    picks = [i for t in TASKS for i in [j for j, it in enumerate(items) if it["task"] == t][:2]]
    dump_json(os.path.join(out, "predict_payload.json"), {"instances": [items[i]["input"] for i in picks]})
    dump_json(os.path.join(out, "predict_result.json"),
          {"predictions": [decode_ids(sp, prompts[i] + outs[i]) for i in picks]})


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.work, exist_ok=True)
    tok_dir = tokenizer_dir(args)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(tok_dir, "tokenizer.model"))
    vocab = len(json.load(open(os.path.join(tok_dir, "added_tokens.json")))) + sp.get_piece_size()
    cfg = model_config(args, vocab)
    eval_items = held_out(EVAL_SEED, args.eval_per_task)
    fix_items = held_out(FIXTURE_SEED, args.fixture_per_task)
    model = Llama(cfg)
    model.init_weights(torch.Generator().manual_seed(args.seed))
    print("tokenizer", tok_dir, "vocab", vocab, "params", sum(p.numel() for p in model.parameters()), flush=True)
    opt = make_optimizer(model, args)
    ckpt = os.path.join(args.work, "ckpt.pt")
    step = resume_step(args, ckpt, model, opt, cfg)
    torch.manual_seed(args.seed + step)
    data = Batches(sp, args, training_exclusions(eval_items + fix_items))
    eval_prompts = [encode(sp, it["input"]) for it in eval_items]
    t0 = time.time()
    model.train()
    loss_avg = None
    while keep_training(args, step, t0):
        ids, mask, labels = data.get(step)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args)
        logits = model(ids, mask)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
        backprop(model, opt, loss)
        step += 1
        loss_avg = loss.item() if loss_avg is None else 0.95 * loss_avg + 0.05 * loss.item()
        if step % 25 == 0:
            print(f"step {step} loss {loss_avg:.4f} lr {lr_at(step, args):.2e} elapsed {time.time() - t0:.0f}s", flush=True)
        if step % args.eval_every == 0 or step == args.steps:
            save_ckpt(ckpt, model, opt, step, cfg)
            outs = greedy_outputs(model, eval_prompts, 60)
            print("eval", step, json.dumps(accuracy(sp, eval_items, outs)), flush=True)
    save_ckpt(ckpt, model, opt, step, cfg)
    model.eval()
    export_model(args.out, model, cfg, tok_dir)
    prompts = [encode(sp, it["input"]) for it in fix_items]
    outs = greedy_outputs(model, prompts, 1)
    batched = greedy_outputs(model, prompts, 50)
    same = sum(a == b for a, b in zip(outs, batched))
    acc = accuracy(sp, fix_items, outs)
    print("fixture accuracy", json.dumps(acc), f"batched equal {same}/{len(outs)}", flush=True)
    write_predict_files(args.out, sp, fix_items, prompts, outs)
    write_greedy_fixture(args.fixture, fix_items, prompts, outs, [decode_ids(sp, o) for o in outs], acc,
                         FIXTURE_SEED, MAX_NEW_TOKENS, step, about=LLAMA_ABOUT,
                         extra={"batched_left_padded_equal": f"{same}/{len(outs)}"})
    print("done in", round(time.time() - t0), "s", flush=True)


if __name__ == "__main__":
    main()
