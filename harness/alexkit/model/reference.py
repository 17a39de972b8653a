"""The scripted model's knowledge of instruments: a reference table, and a generic guess.

Each entry gives the tagger's answer for one real instrument: its type, a plausible
price in USD and its asset-class, region and sector splits, each summing to exactly 100.
Figures are rounded approximations of the funds' published breakdowns, good enough for
a deterministic test double, not investment data. A symbol outside the table gets a
generic US-stock classification whose sector comes from a hash of the symbol (the same
symbol always gets the same answer) and no price (:data:`UNPRICED`): the reporter then says
the holding is unpriced instead of valuing it at an invented price.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Final

Split = dict[str, float]


@dataclass(frozen=True)
class Instrument:
    symbol: str
    name: str
    instrument_type: str
    price: float
    asset_class: Split
    regions: Split
    sectors: Split
    note: str = ""


def _stock(symbol: str, name: str, price: float, sector: str, note: str) -> Instrument:
    return Instrument(symbol, name, "stock", price, {"equity": 100}, {"north_america": 100}, {sector: 100}, note)


_US_MARKET: Final[Split] = {
    "technology": 31,
    "financials": 13,
    "healthcare": 11,
    "consumer_discretionary": 10,
    "industrials": 9,
    "communication": 9,
    "consumer_staples": 6,
    "energy": 4,
    "utilities": 2,
    "real_estate": 3,
    "materials": 2,
}
_INTL_DEVELOPED: Final[Split] = {
    "financials": 21,
    "industrials": 17,
    "healthcare": 11,
    "consumer_discretionary": 11,
    "technology": 9,
    "consumer_staples": 8,
    "materials": 7,
    "communication": 4,
    "energy": 5,
    "utilities": 3,
    "real_estate": 4,
}
_EMERGING: Final[Split] = {
    "technology": 23,
    "financials": 22,
    "consumer_discretionary": 13,
    "communication": 9,
    "materials": 7,
    "industrials": 7,
    "energy": 5,
    "consumer_staples": 5,
    "healthcare": 4,
    "utilities": 3,
    "real_estate": 2,
}
_US_AGG: Final[Split] = {"treasury": 45, "mortgage": 26, "corporate": 25, "government_related": 4}

_TABLE: Final[tuple[Instrument, ...]] = (
    # US equity index funds
    Instrument(
        "SPY",
        "SPDR S&P 500 ETF Trust",
        "etf",
        560.0,
        {"equity": 100},
        {"north_america": 100},
        _US_MARKET,
        "tracks the S&P 500, large-cap US companies",
    ),
    Instrument(
        "VOO",
        "Vanguard S&P 500 ETF",
        "etf",
        515.0,
        {"equity": 100},
        {"north_america": 100},
        _US_MARKET,
        "tracks the S&P 500, large-cap US companies",
    ),
    Instrument(
        "IVV",
        "iShares Core S&P 500 ETF",
        "etf",
        563.0,
        {"equity": 100},
        {"north_america": 100},
        _US_MARKET,
        "tracks the S&P 500, large-cap US companies",
    ),
    Instrument(
        "VTI",
        "Vanguard Total Stock Market ETF",
        "etf",
        275.0,
        {"equity": 100},
        {"north_america": 100},
        {
            "technology": 30,
            "financials": 13,
            "healthcare": 12,
            "consumer_discretionary": 10,
            "industrials": 10,
            "communication": 8,
            "consumer_staples": 5,
            "energy": 4,
            "utilities": 2,
            "real_estate": 3,
            "materials": 3,
        },
        "the whole US stock market, all capitalisations",
    ),
    Instrument(
        "QQQ",
        "Invesco QQQ Trust",
        "etf",
        480.0,
        {"equity": 100},
        {"north_america": 97, "europe": 3},
        {
            "technology": 58,
            "communication": 16,
            "consumer_discretionary": 13,
            "healthcare": 6,
            "consumer_staples": 4,
            "industrials": 3,
        },
        "the Nasdaq-100, dominated by large technology companies",
    ),
    Instrument(
        "SCHD",
        "Schwab US Dividend Equity ETF",
        "etf",
        80.0,
        {"equity": 100},
        {"north_america": 100},
        {
            "financials": 18,
            "healthcare": 16,
            "consumer_staples": 14,
            "industrials": 13,
            "energy": 12,
            "technology": 10,
            "consumer_discretionary": 8,
            "communication": 5,
            "materials": 3,
            "utilities": 1,
        },
        "US dividend payers screened for quality",
    ),
    Instrument(
        "VIG",
        "Vanguard Dividend Appreciation ETF",
        "etf",
        190.0,
        {"equity": 100},
        {"north_america": 100},
        {
            "technology": 24,
            "financials": 22,
            "healthcare": 15,
            "industrials": 12,
            "consumer_staples": 11,
            "consumer_discretionary": 7,
            "materials": 4,
            "utilities": 3,
            "energy": 2,
        },
        "US companies with a record of growing dividends",
    ),
    Instrument(
        "ARKK",
        "ARK Innovation ETF",
        "etf",
        50.0,
        {"equity": 100},
        {"north_america": 90, "europe": 4, "asia": 6},
        {"technology": 45, "healthcare": 20, "communication": 15, "financials": 12, "consumer_discretionary": 8},
        "an actively managed, concentrated fund of disruptive-innovation companies",
    ),
    Instrument(
        "XLK",
        "Technology Select Sector SPDR Fund",
        "etf",
        225.0,
        {"equity": 100},
        {"north_america": 100},
        {"technology": 100},
        "the technology stocks of the S&P 500",
    ),
    Instrument(
        "XLF",
        "Financial Select Sector SPDR Fund",
        "etf",
        45.0,
        {"equity": 100},
        {"north_america": 100},
        {"financials": 100},
        "the financial stocks of the S&P 500",
    ),
    Instrument(
        "XLE",
        "Energy Select Sector SPDR Fund",
        "etf",
        90.0,
        {"equity": 100},
        {"north_america": 100},
        {"energy": 100},
        "the energy stocks of the S&P 500",
    ),
    Instrument(
        "XLV",
        "Health Care Select Sector SPDR Fund",
        "etf",
        150.0,
        {"equity": 100},
        {"north_america": 100},
        {"healthcare": 100},
        "the health-care stocks of the S&P 500",
    ),
    # international equity
    Instrument(
        "VXUS",
        "Vanguard Total International Stock ETF",
        "etf",
        62.0,
        {"equity": 100},
        {"europe": 40, "asia": 35, "oceania": 6, "north_america": 8, "latin_america": 4, "middle_east": 4, "africa": 3},
        _INTL_DEVELOPED,
        "stocks of developed and emerging markets outside the US",
    ),
    Instrument(
        "VEA",
        "Vanguard FTSE Developed Markets ETF",
        "etf",
        50.0,
        {"equity": 100},
        {"europe": 55, "asia": 27, "oceania": 7, "north_america": 10, "middle_east": 1},
        _INTL_DEVELOPED,
        "stocks of developed markets outside the US",
    ),
    Instrument(
        "EFA",
        "iShares MSCI EAFE ETF",
        "etf",
        80.0,
        {"equity": 100},
        {"europe": 65, "asia": 26, "oceania": 8, "middle_east": 1},
        _INTL_DEVELOPED,
        "developed markets of Europe, Australasia and the Far East",
    ),
    Instrument(
        "VWO",
        "Vanguard FTSE Emerging Markets ETF",
        "etf",
        44.0,
        {"equity": 100},
        {"asia": 78, "latin_america": 8, "middle_east": 6, "africa": 4, "europe": 4},
        _EMERGING,
        "stocks of emerging markets",
    ),
    Instrument(
        "IEMG",
        "iShares Core MSCI Emerging Markets ETF",
        "etf",
        55.0,
        {"equity": 100},
        {"asia": 79, "latin_america": 8, "middle_east": 6, "africa": 3, "europe": 4},
        _EMERGING,
        "stocks of emerging markets, all capitalisations",
    ),
    # bonds
    Instrument(
        "BND",
        "Vanguard Total Bond Market ETF",
        "bond_fund",
        72.0,
        {"fixed_income": 100},
        {"north_america": 100},
        _US_AGG,
        "the investment-grade US bond market",
    ),
    Instrument(
        "AGG",
        "iShares Core US Aggregate Bond ETF",
        "bond_fund",
        98.0,
        {"fixed_income": 100},
        {"north_america": 100},
        _US_AGG,
        "the Bloomberg US Aggregate bond index",
    ),
    Instrument(
        "BNDX",
        "Vanguard Total International Bond ETF",
        "bond_fund",
        49.0,
        {"fixed_income": 100},
        {"europe": 60, "asia": 25, "north_america": 8, "oceania": 4, "latin_america": 3},
        {"government_related": 20, "treasury": 60, "corporate": 20},
        "investment-grade bonds outside the US, hedged",
    ),
    Instrument(
        "TLT",
        "iShares 20+ Year Treasury Bond ETF",
        "bond_fund",
        92.0,
        {"fixed_income": 100},
        {"north_america": 100},
        {"treasury": 100},
        "long-dated US Treasuries",
    ),
    Instrument(
        "IEF",
        "iShares 7-10 Year Treasury Bond ETF",
        "bond_fund",
        95.0,
        {"fixed_income": 100},
        {"north_america": 100},
        {"treasury": 100},
        "intermediate US Treasuries",
    ),
    Instrument(
        "SHY",
        "iShares 1-3 Year Treasury Bond ETF",
        "bond_fund",
        82.0,
        {"fixed_income": 100},
        {"north_america": 100},
        {"treasury": 100},
        "short-dated US Treasuries",
    ),
    Instrument(
        "TIP",
        "iShares TIPS Bond ETF",
        "bond_fund",
        108.0,
        {"fixed_income": 100},
        {"north_america": 100},
        {"treasury": 100},
        "inflation-protected US Treasuries",
    ),
    Instrument(
        "LQD",
        "iShares iBoxx $ Investment Grade Corporate Bond ETF",
        "bond_fund",
        108.0,
        {"fixed_income": 100},
        {"north_america": 85, "europe": 12, "asia": 3},
        {"corporate": 100},
        "investment-grade corporate bonds",
    ),
    Instrument(
        "HYG",
        "iShares iBoxx $ High Yield Corporate Bond ETF",
        "bond_fund",
        78.0,
        {"fixed_income": 100},
        {"north_america": 88, "europe": 9, "latin_america": 3},
        {"corporate": 100},
        "high-yield corporate bonds",
    ),
    Instrument(
        "MUB",
        "iShares National Muni Bond ETF",
        "bond_fund",
        107.0,
        {"fixed_income": 100},
        {"north_america": 100},
        {"government_related": 100},
        "US municipal bonds",
    ),
    # real estate and commodities
    Instrument(
        "VNQ",
        "Vanguard Real Estate ETF",
        "reit",
        88.0,
        {"real_estate": 100},
        {"north_america": 100},
        {"real_estate": 100},
        "US real estate investment trusts",
    ),
    Instrument(
        "GLD",
        "SPDR Gold Shares",
        "commodity",
        215.0,
        {"commodities": 100},
        {"global": 100},
        {"commodities": 100},
        "physical gold bullion",
    ),
    Instrument(
        "IAU",
        "iShares Gold Trust",
        "commodity",
        44.0,
        {"commodities": 100},
        {"global": 100},
        {"commodities": 100},
        "physical gold bullion",
    ),
    Instrument(
        "SLV",
        "iShares Silver Trust",
        "commodity",
        27.0,
        {"commodities": 100},
        {"global": 100},
        {"commodities": 100},
        "physical silver bullion",
    ),
    Instrument(
        "DBC",
        "Invesco DB Commodity Index Tracking Fund",
        "commodity",
        23.0,
        {"commodities": 100},
        {"global": 100},
        {"commodities": 100},
        "futures on energy, metals and agricultural commodities",
    ),
    # balanced funds
    Instrument(
        "AOR",
        "iShares Core Growth Allocation ETF",
        "etf",
        57.0,
        {"equity": 60, "fixed_income": 40},
        {"north_america": 75, "europe": 13, "asia": 9, "oceania": 2, "latin_america": 1},
        {
            "technology": 18,
            "financials": 10,
            "healthcare": 7,
            "consumer_discretionary": 6,
            "industrials": 7,
            "communication": 5,
            "consumer_staples": 4,
            "energy": 3,
            "treasury": 25,
            "corporate": 10,
            "mortgage": 5,
        },
        "a 60/40 mix of stock and bond index funds",
    ),
    Instrument(
        "VTIVX",
        "Vanguard Target Retirement 2045 Fund",
        "mutual_fund",
        33.0,
        {"equity": 88, "fixed_income": 12},
        {"north_america": 55, "europe": 18, "asia": 17, "international": 10},
        {"diversified": 88, "treasury": 8, "corporate": 4},
        "a target-date fund for retirement around 2045",
    ),
    # US stocks
    _stock("AAPL", "Apple Inc.", 225.0, "technology", "consumer hardware, software and services"),
    _stock("MSFT", "Microsoft Corporation", 420.0, "technology", "software and cloud computing"),
    _stock("NVDA", "NVIDIA Corporation", 120.0, "technology", "graphics and AI accelerator chips"),
    _stock("AMZN", "Amazon.com, Inc.", 185.0, "consumer_discretionary", "online retail and cloud computing"),
    _stock("GOOGL", "Alphabet Inc. Class A", 165.0, "communication", "search, advertising and cloud"),
    _stock("META", "Meta Platforms, Inc.", 510.0, "communication", "social networks and advertising"),
    _stock("TSLA", "Tesla, Inc.", 240.0, "consumer_discretionary", "electric vehicles and energy storage"),
    _stock("JPM", "JPMorgan Chase & Co.", 210.0, "financials", "the largest US bank"),
    _stock("BRKB", "Berkshire Hathaway Inc. Class B", 450.0, "financials", "a conglomerate led by insurance"),
    _stock("V", "Visa Inc.", 275.0, "financials", "card payment networks"),
    _stock("JNJ", "Johnson & Johnson", 160.0, "healthcare", "pharmaceuticals and medical devices"),
    _stock("UNH", "UnitedHealth Group Incorporated", 560.0, "healthcare", "health insurance and services"),
    _stock("PFE", "Pfizer Inc.", 29.0, "healthcare", "pharmaceuticals"),
    _stock("XOM", "Exxon Mobil Corporation", 115.0, "energy", "integrated oil and gas"),
    _stock("CVX", "Chevron Corporation", 150.0, "energy", "integrated oil and gas"),
    _stock("KO", "The Coca-Cola Company", 68.0, "consumer_staples", "beverages"),
    _stock("PG", "The Procter & Gamble Company", 165.0, "consumer_staples", "household products"),
    _stock("WMT", "Walmart Inc.", 78.0, "consumer_staples", "discount retail"),
    _stock("HD", "The Home Depot, Inc.", 370.0, "consumer_discretionary", "home-improvement retail"),
    _stock("DIS", "The Walt Disney Company", 95.0, "communication", "media and theme parks"),
    _stock("CAT", "Caterpillar Inc.", 350.0, "industrials", "construction and mining machinery"),
    _stock("NEE", "NextEra Energy, Inc.", 78.0, "utilities", "electric utility and renewables"),
    _stock("LIN", "Linde plc", 460.0, "materials", "industrial gases"),
    _stock("AMT", "American Tower Corporation", 220.0, "real_estate", "a REIT owning communication towers"),
)

REFERENCE: Final[dict[str, Instrument]] = {item.symbol: item for item in _TABLE}

# Sectors a generic (unknown) stock may fall in, chosen by the symbol's hash.
_GENERIC_SECTORS: Final[tuple[str, ...]] = (
    "technology",
    "healthcare",
    "financials",
    "consumer_discretionary",
    "consumer_staples",
    "industrials",
    "materials",
    "energy",
    "utilities",
    "communication",
)


def _digest(symbol: str) -> int:
    return int.from_bytes(hashlib.sha256(symbol.encode("utf-8")).digest()[:8], "big")


UNPRICED = 0.0  # the price the tagger gives a symbol it cannot price; the reporter calls such holdings unpriced


def lookup(symbol: str) -> Instrument | None:
    return REFERENCE.get(symbol.strip().upper())


def classify(symbol: str, name: str) -> dict[str, Any]:
    """The tagger's answer (an InstrumentClassification as a dict, rationale first)."""
    symbol = symbol.strip().upper()
    known = lookup(symbol)
    if known is not None:
        return {
            "rationale": (
                f"{known.symbol} ({known.name}) is in the reference table: {known.note}. "
                f"It is classified as {known.instrument_type.replace('_', ' ')} with the splits below."
            ),
            "symbol": symbol,
            "name": known.name,
            "instrument_type": known.instrument_type,
            "current_price": known.price,
            "allocation_asset_class": dict(known.asset_class),
            "allocation_regions": dict(known.regions),
            "allocation_sectors": dict(known.sectors),
        }
    digest = _digest(symbol)
    sector = _GENERIC_SECTORS[digest % len(_GENERIC_SECTORS)]
    return {
        "rationale": (
            f"{symbol} is unknown to the reference table, so it is classified generically as a US stock "
            f"(the sector, {sector}, is a placeholder derived from the symbol) and left unpriced: "
            f"a price of 0 rather than a made-up one, so the report can say so."
        ),
        "symbol": symbol,
        "name": name.strip() or symbol,
        "instrument_type": "stock",
        "current_price": UNPRICED,
        "allocation_asset_class": {"equity": 100},
        "allocation_regions": {"north_america": 100},
        "allocation_sectors": {sector: 100},
    }
