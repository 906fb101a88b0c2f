"""ISO 4217 currency codes and their minor units, for prices a pharmacy publishes.

A price is a whole number of the currency's minor units: 1200 JPY (no minor unit), 30.00 USD
(cents, two decimals), 1.500 BHD (fils, three decimals). :func:`minor_units` answers how many
decimals a currency has and refuses a code that is not an active ISO 4217 currency ("XYZ"), or
one that has no minor unit because it is not money a patient pays with (gold ``XAU``, the SDR
``XDR``, the testing code ``XTS``, "no currency" ``XXX``).

Source: ISO 4217 "List one: Currency, fund and precious metal codes", maintenance agency SIX
Financial Information AG, list-one.xml published 2026-01-01
(https://www.six-group.com/en/products-services/financial-information/data-standards.html).
Changes since the Debian ``iso-codes`` 4.15 copy it was checked against: BGN withdrawn (Bulgaria
joined the euro on 2026-01-01), HRK withdrawn (Croatia, 2023), ANG replaced by XCG (Caribbean
guilder), SLL by SLE, ZWL by ZWG, CUC withdrawn; XAD (Arab Accounting Dinar) added. Refresh
this table from list-one.xml when ISO publishes an amendment.
"""

from __future__ import annotations

from lowdose.errors import PriceListError

__all__ = ["CURRENCIES", "minor_units"]

_TWO = (
    "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD "
    "CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS "
    "GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD "
    "LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB "
    "PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP "
    "SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XAD XCD XCG YER ZAR ZMW "
    "ZWG"
)
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
#: Listed by ISO with minor unit "N.A.": precious metals, bond-market and accounting units,
#: testing and "no currency". Not money a patient pays a pharmacy with.
_NOT_APPLICABLE = "XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX"

#: Active ISO 4217 currency codes → number of decimals of the minor unit.
CURRENCIES: dict[str, int] = {
    code: digits
    for codes, digits in ((_TWO, 2), (_ZERO, 0), (_THREE, 3), (_FOUR, 4))
    for code in codes.split()
}


def minor_units(code: str) -> int:
    """Decimals of the minor unit of ISO 4217 ``code`` (JPY 0, USD 2, BHD 3).

    Raises :class:`~lowdose.errors.PriceListError` (``field="currency"``) for anything else.
    """
    digits = CURRENCIES.get(code) if isinstance(code, str) else None
    if digits is not None:
        return digits
    if isinstance(code, str) and code in _NOT_APPLICABLE.split():
        raise PriceListError(
            f"{code} is an ISO 4217 code for something that is not money a patient pays with "
            "(a metal, an accounting unit or a testing code); give the currency of the price, "
            "such as USD, EUR or GBP.",
            field="currency",
        )
    raise PriceListError(
        f"currency {code!r} is not an active ISO 4217 currency code; give the three capital "
        "letters of the price's currency, such as USD, EUR, GBP or JPY.",
        field="currency",
    )
