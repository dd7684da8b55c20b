"""Memorable passwords for pupils: two short everyday words and two digits.

They are read off a printed card by young children, so the words are short, common, easy to
spell and free of letters that look alike in print (no l/1 or O/0 confusion in the digits).
"""

from __future__ import annotations

import secrets

WORDS: tuple[str, ...] = tuple(
    """
    ant apple arch bag bake ball band bank barn bat beach bean bear bed bee bell bench berry
    bike bird boat bone book boot bowl box bread brick bridge brush bug bus cake camel camp
    candy cap car card cart castle cat cave chair chalk cherry chess chick chip clay cliff
    clock cloud coat comet cook corn cow crab crane crown cub cup daisy deer desk dice dish
    dock dog doll donkey door dot dove drum duck eagle egg elf elk farm fern field fig fish
    flag flute foal fog fork fox frog fruit gate gem gift goat gold goose grape grass gull
    hat hawk hay hen hill hippo honey hoop horse hut igloo ink island jam jar jelly jet jug
    kayak kettle key king kite kiwi koala lake lamb lamp leaf lemon lion llama log lunch
    magic mango map marble maze melon milk mint mole moon moose moth mouse mug nest net newt
    night noodle nut oak oar ocean olive orange otter owl panda paper park parrot pea peach
    pear pen penny pig pine pizza plane plum pond pony pool potato puppy quilt rabbit rain
    raft rice ring river road robin rock roof rose rug sail salt sand scarf seal sheep shell
    ship shoe sky sled snail snow sock sofa spoon star stone storm sun swan table taco tent
    tiger toast tomato towel tower toy train tree tulip turtle van violin wagon wave whale
    wheel wind wolf wool yak yoyo zebra
    """.split()
)

# 0 and 1 are left out: on a printed card they are easily read as O and l.
DIGITS = "23456789"


def memorable_password() -> str:
    """e.g. ``otter-lemon-47``: easy for a child to type, never shown more than once."""
    first = secrets.choice(WORDS)
    second = secrets.choice(WORDS)
    while second == first:
        second = secrets.choice(WORDS)
    return f"{first}-{second}-{secrets.choice(DIGITS)}{secrets.choice(DIGITS)}"
