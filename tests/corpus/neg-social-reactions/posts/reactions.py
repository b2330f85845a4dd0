REACTIONS = ["like", "love", "haha", "wow", "sad", "angry"]


def react(post, user, kind: str) -> None:
    if kind not in REACTIONS:
        raise ValueError(kind)
    post.reactions[user.id] = kind
