"""Regenerate stopwords.json: the 200 most frequent words of eleven languages,
names of places and peoples excepted.

Story grouping (monitor/stories.py) drops these words from article profiles and
guesses an article's language from the 100 most frequent. The list comes from
wordfreq (a dependency) and is stored so that start-up never loads wordfreq.

    python monitor/data/make_stopwords.py
"""

import json
from pathlib import Path

from wordfreq import top_n_list

N = 200
# Names are never stop words: places and peoples that are frequent in their language.
NAMES = {"france", "paris", "français", "italia", "deutschland", "berlin", "deutschen",
         "brasil", "paulo", "nederland", "polski", "polsce", "istanbul", "россии",
         "المتحدة", "السعودية", "العربية", "العربي", "america", "american", "london"}
LANGS = ("en", "fr", "it", "de", "es", "pt", "nl", "pl", "tr", "ru", "ar")

if __name__ == "__main__":
    words = {lang: [w for w in top_n_list(lang, N)
                    if not any(c.isdigit() for c in w) and w not in NAMES] for lang in LANGS}
    out = Path(__file__).with_name("stopwords.json")
    out.write_text(json.dumps(words, ensure_ascii=False, indent=0) + "\n", "utf-8")
    print(f"{out}: {sum(map(len, words.values()))} words")
