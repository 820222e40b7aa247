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
102714 3786.89505
827088 3884.22291
17867008 729.441419
51475968 403.105582
124439808 401.08959
354823168 21.2387503
774030080 15.9705998
1557611200 14.1247713
EOD
$d1 << EOD
102714 48046.7872
827088 28941.4427
17867008 1652.59489
51475968 1094.39247
124439808 419.862909
354823168 125.48518
774030080 59.644511
1557611200 9.85705931
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu'
