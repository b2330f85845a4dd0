print("attendance kiosk")
