import asyncio

from bleak import BleakClient

HR_MEASUREMENT = "00002a37-0000-1000-8000-00805f9b34fb"


def on_hr(_, data: bytearray):
    bpm = data[1] if not data[0] & 1 else int.from_bytes(data[1:3], "little")
    print(f"{bpm} bpm")


async def main(address):
    async with BleakClient(address) as client:
        await client.start_notify(HR_MEASUREMENT, on_hr)
        await asyncio.sleep(3600)

asyncio.run(main("C0:FF:EE:00:00:02"))
