import datetime
import os

from garminconnect import Garmin

api = Garmin(os.environ["GARMIN_EMAIL"], os.environ["GARMIN_PASSWORD"])
api.login()

today = datetime.date.today().isoformat()
stress = api.get_stress_data(today)
print(stress["avgStressLevel"], stress["maxStressLevel"])
