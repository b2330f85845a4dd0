from tensorflow.keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
from tensorflow.keras.models import Sequential
from tensorflow.keras.preprocessing.image import ImageDataGenerator

gen = ImageDataGenerator(rescale=1.0 / 255)
train = gen.flow_from_directory("data/train", target_size=(48, 48), color_mode="grayscale", batch_size=64)

model = Sequential([
    Conv2D(32, 3, activation="relu", input_shape=(48, 48, 1)),
    MaxPooling2D(),
    Flatten(),
    Dense(train.num_classes, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(train, epochs=30)
model.save("model.h5")
