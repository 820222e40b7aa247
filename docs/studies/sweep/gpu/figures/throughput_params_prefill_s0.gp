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
102714 134802.764
827088 4703.42933
17867008 2657.78461
51475968 798.758605
124439808 1029.03861
354823168 390.536141
774030080 188.693631
1557611200 99.5919576
EOD
$d1 << EOD
102714 72287.1504
827088 52282.4618
17867008 22967.3322
51475968 21035.5533
124439808 11001.3885
354823168 5077.11215
774030080 2828.62692
1557611200 1706.17968
EOD
$d2 << EOD
102714 61542.8514
827088 57694.3831
17867008 22495.2492
51475968 17168.4459
124439808 11634.8506
354823168 5079.15907
774030080 2828.06878
1557611200 1711.41588
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0'
