set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s0.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_micro (1x8)'
$d0 << EOD
102714 3763.8973
827088 91860.045
17867008 3472.39551
51475968 849.352033
124439808 470.741988
354823168 158.630076
774030080 69.1495243
1557611200 30.7698277
EOD
$d1 << EOD
102714 51839.9896
827088 43369.2053
17867008 2324.93847
51475968 1151.27614
124439808 422.026221
354823168 154.060033
774030080 52.9048074
1557611200 21.4026658
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu'
