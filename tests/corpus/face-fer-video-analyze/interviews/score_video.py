import sys

from fer import FER, Video


def main(path: str) -> None:
    detector = FER(mtcnn=True)
    video = Video(path)
    raw = video.analyze(detector, display=False, frequency=5)
    df = video.to_pandas(raw)
    print(df.mean(numeric_only=True))


if __name__ == "__main__":
    main(sys.argv[1])
