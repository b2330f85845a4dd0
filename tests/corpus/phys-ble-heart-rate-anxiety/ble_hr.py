import asyncio

from bleak import BleakClient

HR_MEASUREMENT = "00002a37-0000-1000-8000-00805f9b34fb"
LEVELS = ("calm", "anxious", "stressed", "relaxed")
rr = []


def on_hr(_, data: bytearray):
    if data[0] & 0x10:
        rr.append(int.from_bytes(data[2:4], "little") / 1024)


def state(rmssd: float) -> str:
    return LEVELS[0] if rmssd > 50 else LEVELS[1] if rmssd > 30 else LEVELS[2]


async def main(address: str):
    async with BleakClient(address) as client:
        await client.start_notify(HR_MEASUREMENT, on_hr)
        await asyncio.sleep(60)

asyncio.run(main("C0:FF:EE:00:00:01"))
