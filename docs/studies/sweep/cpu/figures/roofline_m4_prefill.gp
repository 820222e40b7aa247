set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m4_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 1.54988659 1.53219894 1.56757425
0.97 1.03925715 0.946973888 1.13154041
1.97 0.916814434 0.876187305 0.957441563
EOD
$d1 << EOD
0.03 1.72886947 1.70351267 1.75422627
1.03 0.557936638 0.551998298 0.563874979
2.03 0.524765278 0.476208244 0.573322312
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
