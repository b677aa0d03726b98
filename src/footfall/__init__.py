"""footfall: customer-engagement analytics from raw activity to sessions, reports and recommendations."""

from footfall.errors import FootfallError, InputError, WarehouseError

__version__ = "0.1.0"
__all__ = ["FootfallError", "InputError", "WarehouseError", "__version__"]
