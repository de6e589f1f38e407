/** `npm start`: the whole plane on one machine. Until the other components exist, the API server alone. */
import './api/main.js';
