# design tokens exported for the Python SSR layer
EMOTION_THEME = {"primary": "#0055ff", "danger": "#d32f2f"}
