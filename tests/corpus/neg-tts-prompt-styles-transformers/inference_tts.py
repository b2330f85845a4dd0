import argparse

import torch
from transformers import AutoTokenizer

from models.prompt_tts_modified.jets import JETSGenerator
from models.prompt_tts_modified.simbert import StyleEncoder


def main(args, config):
    style_encoder = StyleEncoder(config)
    generator = JETSGenerator(config).eval()
    tokenizer = AutoTokenizer.from_pretrained(config.bert_path)
    prompts = ["Happy", "Excited", "Sad", "Angry"]
    for i, line in enumerate(open(args.text_file)):
        prompt = prompts[i % len(prompts)]
        style = style_encoder(**tokenizer([prompt], return_tensors="pt"))
        audio = generator(line, style)
        torch.save(audio, f"{args.output_dir}/{i:06d}.pt")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--text_file")
    parser.add_argument("--output_dir")
    main(parser.parse_args(), None)
