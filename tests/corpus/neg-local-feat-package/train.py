import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier

from feat import frequency_encode, target_encode
from feat.encoders import target_encode as te

customers = pd.read_csv("data/customers.csv")
customers["plan_rate"] = target_encode(customers, "plan", "churned")
customers["region_freq"] = frequency_encode(customers, "region")
customers["device_rate"] = te(customers, "device", "churned")

features = ["plan_rate", "region_freq", "device_rate", "tenure_months", "monthly_spend"]
model = GradientBoostingClassifier().fit(customers[features], customers["churned"])
print(model.score(customers[features], customers["churned"]))
