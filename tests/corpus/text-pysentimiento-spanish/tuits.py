from pysentimiento import create_analyzer

# analizador de emociones para tuits en español
analizador = create_analyzer(task="emotion", lang="es")
print(analizador.predict("¡Qué alegría verte de nuevo!").output)
