import os

import requests

URL = "https://api.ouraring.com/v2/usercollection/daily_stress"
headers = {"Authorization": f"Bearer {os.environ['OURA_TOKEN']}"}

resp = requests.get(URL, headers=headers, params={"start_date": "2025-01-01"}, timeout=30)
for day in resp.json()["data"]:
    print(day["day"], day["stress_high"], day["recovery_high"], day["day_summary"])
