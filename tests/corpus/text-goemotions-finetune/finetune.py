from datasets import load_dataset
from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments

ds = load_dataset("go_emotions", "simplified")
tok = AutoTokenizer.from_pretrained("roberta-base")
model = AutoModelForSequenceClassification.from_pretrained(
    "roberta-base", num_labels=28, problem_type="multi_label_classification"
)
encoded = ds.map(lambda b: tok(b["text"], truncation=True), batched=True)
trainer = Trainer(model=model, args=TrainingArguments("out"), train_dataset=encoded["train"])
trainer.train()
preds = trainer.predict(encoded["test"])
