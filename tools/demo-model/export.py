"""Write the Hugging Face style model directory and the PyTorch greedy fixture."""
import json
import os
import shutil

from t5 import save_safetensors


def dump_json(path, obj):
    """Sorted, indented JSON with a final newline, as all the demo-model files are written."""
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


def _special(content, extra):
    d = {"content": content, "lstrip": extra, "normalized": False, "rstrip": extra, "single_word": False}
    return d


def export_model(out, model, cfg, sp_path, sp_size, extra_ids, max_new_tokens):
    """config.json, generation_config.json, model.safetensors and T5Tokenizer files into out."""
    os.makedirs(out, exist_ok=True)
    save_safetensors(model.state_dict(), os.path.join(out, "model.safetensors"))
    config = {
        "architectures": ["T5ForConditionalGeneration"], "classifier_dropout": 0.0,
        "decoder_start_token_id": 0, "dense_act_fn": "gelu_new", "dropout_rate": 0.0,
        "eos_token_id": 1, "feed_forward_proj": "gated-gelu", "initializer_factor": 1.0,
        "is_encoder_decoder": True, "is_gated_act": True, "model_type": "t5",
        "pad_token_id": 0, "tie_word_embeddings": False, "torch_dtype": "float32",
        "use_cache": True,
    }
    config.update(cfg)
    dump_json(os.path.join(out, "config.json"), config)
    dump_json(os.path.join(out, "generation_config.json"), {
        "decoder_start_token_id": 0, "eos_token_id": 1, "pad_token_id": 0,
        "max_new_tokens": max_new_tokens})
    shutil.copyfile(sp_path, os.path.join(out, "spiece.model"))
    extras = [f"<extra_id_{i}>" for i in range(extra_ids)]
    added = {"0": _special("<pad>", False), "1": _special("</s>", False), "2": _special("<unk>", False)}
    for i in range(extra_ids):
        added[str(sp_size + extra_ids - 1 - i)] = _special(f"<extra_id_{i}>", True)
    for v in added.values():
        v["special"] = True
    dump_json(os.path.join(out, "tokenizer_config.json"), {
        "added_tokens_decoder": dict(sorted(added.items(), key=lambda kv: int(kv[0]))),
        "additional_special_tokens": extras, "clean_up_tokenization_spaces": True,
        "eos_token": "</s>", "extra_ids": extra_ids, "legacy": True,
        "model_max_length": 512, "pad_token": "<pad>", "sp_model_kwargs": {},
        "tokenizer_class": "T5Tokenizer", "unk_token": "<unk>"})
    plain = {"lstrip": False, "normalized": False, "rstrip": False, "single_word": False}
    dump_json(os.path.join(out, "special_tokens_map.json"), {
        "additional_special_tokens": extras,
        "eos_token": dict(content="</s>", **plain), "pad_token": dict(content="<pad>", **plain),
        "unk_token": dict(content="<unk>", **plain)})
    dump_json(os.path.join(out, "added_tokens.json"),
              {f"<extra_id_{i}>": sp_size + extra_ids - 1 - i for i in range(extra_ids)})


T5_ABOUT = ("Greedy outputs of the PyTorch reference (tools/demo-model/t5.py) for models/demo-t5. "
            "output_ids are the generated ids after the decoder start token 0, ending with eos 1 "
            "unless max_new_tokens was reached; output_text is the decode without special tokens.")


def write_greedy_fixture(path, items, enc, outs, texts, acc, seed, max_new_tokens, step, about=T5_ABOUT,
                         extra=None):
    """PyTorch's greedy outputs on the held-out set, for comparison with the TypeScript engine."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rows = [{"task": it["task"], "input": it["input"], "target": it["target"], "input_ids": e,
             "output_ids": o, "output_text": t} for it, e, o, t in zip(items, enc, outs, texts)]
    dump_json(path, {
        "about": about, "seed": seed, "per_task": len(items) // 3, "max_new_tokens": max_new_tokens,
        "train_steps": step, "accuracy": acc, "items": rows, **(extra or {})})
