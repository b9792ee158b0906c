# What a chatbot receives when you ask it about strawberries: numbers, not letters.

import cli

import bpe_openai

from tokenizer import QUESTION

args = cli.parse_args(
    cli.Parser(
        description="What a chatbot receives when you ask it about strawberries: "
        "numbers, not letters."
    )
)

# %% question
o200k = bpe_openai.get_encoding("o200k_base")  # the tokeniser in front of GPT-4o
question_ids = o200k.encode(QUESTION)
print("what you type:")
print(f"  {QUESTION}")
print("what the model reads:")
print(f"  {question_ids}")

question_chars = len(QUESTION)
question_tokens = len(question_ids)
strawberry_id = o200k.encode(" strawberry")[0]  # the word, with its space: one token
print(f'" strawberry" is one of them: {strawberry_id}')
